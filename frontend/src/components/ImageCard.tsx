"use client";

import { useId, useRef, useState, type KeyboardEvent } from "react";

import { ApiError, api, messageOf, unwrap, type Image } from "@/api/client";
import { providerLabel } from "@/lib/batchOptions";
import { IMAGE_STATUS, formatBytes, formatCost, splitName } from "@/lib/format";

import { AlertIcon, CheckIcon, ImageIcon, PencilIcon, RetryIcon, ShieldIcon } from "./Icons";
import { Badge, Spinner } from "./ui";

export const MAX_ALT_TEXT = 125;

/** "image/webp" -> "WEBP"; the original's extension when the type is unknown yet. */
function formatLabel(image: Image): string {
  const subtype = image.mime_type.split("/")[1] ?? "";
  const label = subtype.replace(/^x-/, "").replace("jpeg", "jpg") || splitName(image.original_name)[1].slice(1);
  return label.toUpperCase().slice(0, 5);
}

function Thumbnail({ image, preview }: { image: Image; preview?: string }) {
  const candidates = [image.thumbnail_url, preview].filter((src): src is string => Boolean(src));
  const [failed, setFailed] = useState<string[]>([]);
  const src = candidates.find((candidate) => !failed.includes(candidate));
  const extension = splitName(image.original_name)[1].slice(1, 5).toUpperCase();
  return (
    <div className="thumb">
      {src ? (
        <img
          src={src}
          alt={`Preview of ${image.original_name}`}
          loading="lazy"
          decoding="async"
          onError={() => setFailed((current) => [...current, src])}
        />
      ) : (
        <span className="thumb-fallback" aria-hidden="true">
          <ImageIcon size={28} />
          {extension && <span>{extension}</span>}
        </span>
      )}
    </div>
  );
}

/** The element id of an image's card, the target of near-duplicate links. */
export function cardId(imageId: string): string {
  return `image-${imageId}`;
}

export function ImageCard({
  image,
  preview,
  duplicateOf,
  onShowImage,
  highlighted = false,
  onChange,
  onContentChanged,
}: {
  image: Image;
  preview?: string;
  /** The earlier image this one nearly duplicates, by id and the name to show. */
  duplicateOf?: { id: string; name: string };
  onShowImage?: (imageId: string) => void;
  highlighted?: boolean;
  onChange: (image: Image) => void;
  onContentChanged: () => void;
}) {
  const status = IMAGE_STATUS[image.status];
  const titleId = useId();
  const [regenerating, setRegenerating] = useState(false);
  const [regenerateError, setRegenerateError] = useState<string | null>(null);
  const busy = image.status === "PENDING" || image.status === "QUEUED" || image.status === "PROCESSING";

  async function regenerate() {
    setRegenerating(true);
    setRegenerateError(null);
    try {
      onChange(await unwrap(api().POST("/images/{image_id}/regenerate", { params: { path: { image_id: image.id } } })));
      onContentChanged();
    } catch (cause) {
      setRegenerateError(messageOf(cause));
    } finally {
      setRegenerating(false);
    }
  }

  return (
    <article
      id={cardId(image.id)}
      tabIndex={-1}
      className={`image-card image-card-${image.status.toLowerCase()}${highlighted ? " image-card-highlighted" : ""}`}
      aria-labelledby={titleId}
      data-testid="image-card"
      data-image-id={image.id}
      data-status={image.status}
      data-unsafe={image.unsafe || undefined}
      data-near-duplicate-of={image.near_duplicate_of ?? undefined}
    >
      <div className="image-card-media">
        <Thumbnail image={image} preview={preview} />
        <span className="thumb-badge">
          <Badge tone={status.tone}>{status.label}</Badge>
        </span>
      </div>
      <div className="image-card-body">
        <p className="original-name" title={image.original_name}>
          <span className="eyebrow">Original</span>
          <span className="original-text" id={titleId}>
            {image.original_name}
          </span>
        </p>
        {image.status === "NAMED" ? (
          <>
            <NameEditor key={`${image.id}:${image.final_name}`} image={image} onChange={onChange} onContentChanged={onContentChanged} />
            <AltTextEditor image={image} onChange={onChange} onContentChanged={onContentChanged} />
            <ImageFlags image={image} duplicateOf={duplicateOf} onShowImage={onShowImage} />
          </>
        ) : image.status === "FAILED" ? (
          <div className="failure" role="note">
            <AlertIcon size={16} />
            <span>{image.failure_reason || "This image could not be named."}</span>
          </div>
        ) : (
          <div className="naming-placeholder" aria-live="polite">
            <span className="skeleton skeleton-line" />
            <span className="skeleton skeleton-line short" />
            <span className="muted small">
              <Spinner size={12} /> {image.status === "PROCESSING" ? "Naming this image…" : "Waiting to be named…"}
            </span>
          </div>
        )}
      </div>
      <div className="image-card-footer">
        <span className="muted small card-facts">
          <span title={image.file_size > 0 ? formatBytes(image.file_size) : undefined}>
            {[image.width > 0 ? `${image.width}×${image.height}` : "", formatLabel(image)].filter(Boolean).join(" · ")}
          </span>
          {image.provider && (
            <span
              className="provider-note"
              data-testid="image-provider"
              title={`Analysed by ${providerLabel(image.provider)}${image.cost_usd > 0 ? `, about ${formatCost(image.cost_usd)}` : ""}`}
            >
              via {providerLabel(image.provider)}
            </span>
          )}
        </span>
        {!busy && (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={regenerate}
            disabled={regenerating}
            aria-label={`${image.status === "FAILED" ? "Try again" : "Regenerate name and alt text"} for ${image.original_name}`}
          >
            {regenerating ? <Spinner size={14} /> : <RetryIcon size={16} />}
            {image.status === "FAILED" ? "Try again" : "Regenerate"}
          </button>
        )}
      </div>
      {regenerateError && (
        <p className="error-text card-error" role="alert">
          {regenerateError}
        </p>
      )}
    </article>
  );
}

function ImageFlags({
  image,
  duplicateOf,
  onShowImage,
}: {
  image: Image;
  duplicateOf?: { id: string; name: string };
  onShowImage?: (imageId: string) => void;
}) {
  if (!image.unsafe && !duplicateOf) return null;
  return (
    <ul className="image-flags" aria-label="Review notes">
      {image.unsafe && (
        <li
          className="flag flag-warning"
          data-testid="flag-unsafe"
          title="The safety check flagged this picture, so it got a neutral name and alt text. The batch option “Allow descriptive names for flagged images” changes that."
        >
          <ShieldIcon size={14} /> Flagged: neutral name
        </li>
      )}
      {duplicateOf && (
        <li className="flag flag-info" data-testid="flag-duplicate">
          <ImageIcon size={14} />
          <span className="flag-text">
            Near-duplicate of{" "}
            <a
              href={`#${cardId(duplicateOf.id)}`}
              className="flag-link"
              onClick={(event) => {
                if (!onShowImage) return;
                event.preventDefault();
                onShowImage(duplicateOf.id);
              }}
            >
              {duplicateOf.name}
            </a>
          </span>
        </li>
      )}
    </ul>
  );
}

function NameEditor({
  image,
  onChange,
  onContentChanged,
}: {
  image: Image;
  onChange: (image: Image) => void;
  onContentChanged: () => void;
}) {
  const [stem, extension] = splitName(image.final_name ?? "");
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(stem);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const inputId = useId();
  const errorId = useId();
  const editButton = useRef<HTMLButtonElement>(null);

  function close() {
    setEditing(false);
    setError(null);
    setDraft(stem);
    requestAnimationFrame(() => editButton.current?.focus());
  }

  async function save() {
    const wanted = draft.trim();
    if (!wanted || wanted === stem) {
      if (!wanted) setError("Type a name, or press Escape to keep the current one.");
      else close();
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const updated = await unwrap(
        api().PATCH("/images/{image_id}", { params: { path: { image_id: image.id } }, body: { name: wanted } }),
      );
      onChange(updated); // remounts this editor (keyed by the name) in display mode
      onContentChanged();
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.detail : messageOf(cause));
      setSaving(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      void save();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  }

  if (!editing) {
    return (
      <div className="name-block">
        <span className="eyebrow">
          Filename {image.name_edited && <span className="tag">Edited</span>}
        </span>
        <div className="name-display">
          <code className="final-name" data-testid="final-name" title={image.final_name ?? undefined}>
            {image.final_name}
          </code>
          <button
            ref={editButton}
            type="button"
            className="btn btn-ghost btn-sm btn-icon"
            onClick={() => {
              setDraft(stem);
              setEditing(true);
            }}
            aria-label={`Edit filename ${image.final_name}`}
            title="Edit filename"
          >
            <PencilIcon size={16} />
          </button>
        </div>
        {image.name_edited && image.proposed_name && image.proposed_name !== image.final_name && (
          <p className="help suggested">Suggested: {image.proposed_name}</p>
        )}
      </div>
    );
  }

  return (
    <div className="name-block name-editing">
      <label className="eyebrow" htmlFor={inputId}>
        Filename
      </label>
      <div className={`name-input${error ? " has-error" : ""}`}>
        <input
          id={inputId}
          className="input input-sm"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          autoFocus
          spellCheck={false}
          autoComplete="off"
          data-testid="name-input"
        />
        <span className="name-extension" aria-label={`extension ${extension}`}>
          {extension}
        </span>
      </div>
      {error && (
        <p className="error-text" id={errorId} role="alert" data-testid="name-error">
          {error}
        </p>
      )}
      <div className="name-actions">
        <button type="button" className="btn btn-primary btn-sm" onClick={() => void save()} disabled={saving}>
          {saving ? <Spinner size={12} /> : <CheckIcon size={14} />}
          Save
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={close} disabled={saving}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function AltTextEditor({
  image,
  onChange,
  onContentChanged,
}: {
  image: Image;
  onChange: (image: Image) => void;
  onContentChanged: () => void;
}) {
  const saved = image.alt_text ?? "";
  const [value, setValue] = useState(saved);
  const [base, setBase] = useState(saved);
  const [state, setState] = useState<"idle" | "saving" | "saved">("idle");
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const counterId = useId();
  const errorId = useId();

  // A new alt text from the server (regenerated, or saved here) replaces an unedited field.
  if (saved !== base) {
    setBase(saved);
    if (value === base) setValue(saved);
  }

  const dirty = value !== saved;
  const length = value.length;

  async function save() {
    if (!dirty || state === "saving") return;
    setState("saving");
    setError(null);
    try {
      const updated = await unwrap(
        api().PATCH("/images/{image_id}", { params: { path: { image_id: image.id } }, body: { alt_text: value } }),
      );
      setValue(updated.alt_text ?? "");
      onChange(updated);
      onContentChanged();
      setState("saved");
    } catch (cause) {
      setError(messageOf(cause));
      setState("idle");
    }
  }

  return (
    <div className="alt-block">
      <div className="alt-label-row">
        <label htmlFor={id} className="eyebrow">
          Alt text
        </label>
        <span id={counterId} className={`counter${length > MAX_ALT_TEXT - 10 ? " counter-warn" : ""}`}>
          {length}/{MAX_ALT_TEXT}
        </span>
      </div>
      <textarea
        id={id}
        className="input textarea"
        rows={3}
        maxLength={MAX_ALT_TEXT}
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          setState("idle");
        }}
        onBlur={() => void save()}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
            event.preventDefault();
            void save();
          } else if (event.key === "Escape" && dirty) {
            setValue(saved);
          }
        }}
        aria-describedby={[counterId, error ? errorId : ""].filter(Boolean).join(" ")}
        aria-invalid={error ? true : undefined}
        data-testid="alt-input"
      />
      {error && (
        <p className="error-text" id={errorId} role="alert">
          {error}
        </p>
      )}
      <p className="alt-status" aria-live="polite">
        {state === "saving" ? "Saving…" : state === "saved" && !dirty ? "Saved" : dirty ? "Unsaved: saved when you leave the field" : ""}
      </p>
    </div>
  );
}
