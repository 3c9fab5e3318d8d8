"use client";

import { useState, type ReactNode } from "react";

import { api, messageOf, unwrap, type Batch } from "@/api/client";
import { CASE_STYLE_LABELS, chainLabel, languageName } from "@/lib/batchOptions";
import { isFinished } from "@/lib/format";

import { DeliveryOptions, type Delivery } from "./DeliveryOptions";
import { InlineAlert } from "./ui";

/** The batch's options: naming ones to read, delivery ones to change at any time (PATCH). */
export function BatchSettings({
  batch,
  onSaved,
  onZipStale,
  onFailed,
}: {
  batch: Batch;
  /** The batch as the change left it; its download_ready is not to be believed. */
  onSaved: (batch: Batch) => void;
  /** Called before a change is sent: a "ready" heard after it must be about the rebuilt ZIP. */
  onZipStale: () => void;
  /** The change was refused: the ZIP was not touched, so its state is read again. */
  onFailed: () => void;
}) {
  const [saving, setSaving] = useState<keyof Delivery | null>(null);
  const [pending, setPending] = useState<Partial<Delivery>>({}); // shown at once, undone if refused
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const finished = isFinished(batch.status);

  async function change(patch: Partial<Delivery>) {
    setSaving(Object.keys(patch)[0] as keyof Delivery);
    setPending(patch);
    setError(null);
    onZipStale();
    try {
      const updated = await unwrap(
        api().PATCH("/batches/{batch_id}", { params: { path: { batch_id: batch.id } }, body: patch }),
      );
      onSaved(updated);
      setChanged(true);
    } catch (cause) {
      setError(messageOf(cause));
      onFailed();
    } finally {
      setSaving(null);
      setPending({});
    }
  }

  let note: string;
  if (!changed) note = "These can change at any time; a finished batch’s ZIP is then rebuilt.";
  else if (!finished) note = "Saved. The ZIP will be built with these settings.";
  else if (!batch.download_ready) note = "Saved. The ZIP is being rebuilt with this change; download it again once it is ready.";
  else note = "Saved. The ZIP has been rebuilt with this change.";

  const summary = [
    languageName(batch.language),
    batch.brand,
    batch.name_template ? "template" : null,
    batch.write_metadata ? "metadata written" : null,
    batch.strip_gps ? "GPS stripped" : null,
  ].filter(Boolean);

  return (
    <details className="card settings-card" data-testid="batch-settings">
      <summary>
        <span className="advanced-title">Batch settings</span>
        <span className="help">{summary.join(" · ")}</span>
      </summary>
      <div className="settings-body">
        <div>
          <h3 className="eyebrow">Naming</h3>
          <dl className="settings-list">
            <Setting term="Language">{languageName(batch.language)}</Setting>
            <Setting term="Brand">{batch.brand ?? <span className="muted">None</span>}</Setting>
            <Setting term="Template">
              {batch.name_template ? <code>{batch.name_template}</code> : <span className="muted">None: composed per picture</span>}
            </Setting>
            <Setting term="Case style">{CASE_STYLE_LABELS[batch.case_style] ?? batch.case_style}</Setting>
            <Setting term="Keep pattern">
              {batch.keep_pattern ? <code>{batch.keep_pattern}</code> : <span className="muted">None</span>}
            </Setting>
            <Setting term="Max length">{batch.max_name_length} characters</Setting>
            <Setting term="Letters">{batch.unicode_names ? "Any script" : "ASCII only"}</Setting>
            <Setting term="Flagged images">{batch.allow_unsafe_names ? "Descriptive names" : "Neutral names"}</Setting>
            <Setting term="Analysis">{batch.providers?.length ? chainLabel(batch.providers) : "Deployment default"}</Setting>
          </dl>
          <p className="help">
            {isFinished(batch.status) || batch.status === "PROCESSING"
              ? "Naming options were fixed when renaming started."
              : "Naming options are fixed once you start renaming."}
          </p>
        </div>
        <div>
          <h3 className="eyebrow">Delivered files</h3>
          <DeliveryOptions
            value={{ write_metadata: batch.write_metadata, strip_gps: batch.strip_gps, ...pending }}
            onChange={(patch) => void change(patch)}
            saving={saving}
          />
          {error && <InlineAlert>{error}</InlineAlert>}
          <p className={`help${changed ? " settings-note" : ""}`} aria-live="polite" data-testid="delivery-note">
            {note}
          </p>
        </div>
      </div>
    </details>
  );
}

function Setting({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="setting">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
