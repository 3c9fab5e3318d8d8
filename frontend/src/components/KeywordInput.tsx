"use client";

import { useId, useState, type ClipboardEvent, type KeyboardEvent } from "react";

import { CloseIcon } from "./Icons";

export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 60;

/** Keywords as chips: Enter or comma adds, Backspace in the empty field removes the last one. */
export function KeywordInput({
  value,
  onChange,
  id,
  describedBy,
}: {
  value: string[];
  onChange: (keywords: string[]) => void;
  id?: string;
  describedBy?: string;
}) {
  const [draft, setDraft] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const messageId = useId();
  const fallbackId = useId();
  const inputId = id ?? fallbackId;

  function add(raw: string): string[] {
    let next = value;
    for (const part of raw.split(",")) {
      const keyword = part.split(/\s+/).filter(Boolean).join(" ");
      if (!keyword) continue;
      if (keyword.length > MAX_KEYWORD_LENGTH) {
        setMessage(`Keep each keyword under ${MAX_KEYWORD_LENGTH} characters.`);
        continue;
      }
      if (next.some((k) => k.toLowerCase() === keyword.toLowerCase())) {
        setMessage(`“${keyword}” is already there.`);
        continue;
      }
      if (next.length >= MAX_KEYWORDS) {
        setMessage(`Up to ${MAX_KEYWORDS} keywords per batch.`);
        break;
      }
      next = [...next, keyword];
    }
    if (next !== value) onChange(next);
    return next;
  }

  function commitDraft() {
    if (!draft.trim()) return;
    setMessage(null);
    add(draft);
    setDraft("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      commitDraft();
    } else if (event.key === "Backspace" && draft === "" && value.length > 0) {
      event.preventDefault();
      const removed = value[value.length - 1];
      onChange(value.slice(0, -1));
      setMessage(`Removed “${removed}”.`);
    }
  }

  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    const text = event.clipboardData.getData("text");
    if (!text.includes(",") && !text.includes("\n")) return;
    event.preventDefault();
    setMessage(null);
    add((draft + text).replace(/\n/g, ","));
    setDraft("");
  }

  return (
    <div className="chips-field">
      <div className="chips-box" onClick={() => document.getElementById(inputId)?.focus()}>
        <ul className="chips" aria-label="Added keywords">
          {value.map((keyword) => (
            <li key={keyword} className="chip">
              <span>{keyword}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove keyword ${keyword}`}
                onClick={(event) => {
                  event.stopPropagation();
                  onChange(value.filter((k) => k !== keyword));
                  setMessage(`Removed “${keyword}”.`);
                }}
              >
                <CloseIcon size={14} />
              </button>
            </li>
          ))}
        </ul>
        <input
          id={inputId}
          className="chips-input"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={commitDraft}
          placeholder={value.length ? "Add another…" : "e.g. summer sale, sneakers"}
          aria-describedby={[describedBy, messageId].filter(Boolean).join(" ")}
          autoComplete="off"
          enterKeyHint="enter"
        />
      </div>
      <p id={messageId} className="help chips-message" aria-live="polite">
        {message ?? ""}
      </p>
    </div>
  );
}
