"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

import { api, messageOf, unwrap } from "@/api/client";
import { slugify } from "@/lib/format";

import { ArrowLeftIcon, ArrowRightIcon } from "./Icons";
import { KeywordInput, MAX_KEYWORDS } from "./KeywordInput";
import { InlineAlert, Spinner } from "./ui";

// The API accepts these languages (core/batches/schemas.py SUPPORTED_LANGUAGES); more
// arrive with the naming issue.
const LANGUAGES = [{ code: "en", label: "English" }];
const MIN_LENGTH = 20;
const MAX_LENGTH = 120;
const DEFAULT_LENGTH = 60;

function examplePreview(keywords: string[], maxLength: number): string {
  const words = ["red", "leather", "handbag", ...keywords.map(slugify)].filter(Boolean);
  let stem = "";
  for (const word of words) {
    const candidate = stem ? `${stem}-${word}` : word;
    if (candidate.length > maxLength) break;
    stem = candidate;
  }
  return `${stem || "red-leather-handbag"}.jpg`;
}

export function NewBatchForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [keywords, setKeywords] = useState<string[]>([]);
  const [language, setLanguage] = useState("en");
  const [maxLength, setMaxLength] = useState(DEFAULT_LENGTH);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), keywords: useId(), keywordsHelp: useId(), language: useId(), length: useId(), lengthHelp: useId() };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    // A keyword still in the field counts too.
    const pending = (document.getElementById(ids.keywords) as HTMLInputElement | null)?.value.trim();
    const allKeywords = pending ? [...keywords, pending].slice(0, MAX_KEYWORDS) : keywords;
    try {
      const batch = await unwrap(
        api().POST("/batches", {
          body: { name: name.trim(), keywords: allKeywords, language, max_name_length: maxLength },
        }),
      );
      router.push(`/batches/${batch.id}`);
    } catch (cause) {
      setError(messageOf(cause));
      setBusy(false);
    }
  }

  return (
    <>
      <div className="page-header">
        <div>
          <Link href="/" className="back-link">
            <ArrowLeftIcon size={16} /> Batches
          </Link>
          <h1>New batch</h1>
          <p className="muted">Keywords steer every filename in the batch. You can upload images next.</p>
        </div>
      </div>
      <form className="card form-card" onSubmit={submit} noValidate>
        {error && <InlineAlert>{error}</InlineAlert>}
        <div className="field">
          <label htmlFor={ids.name}>
            Batch name <span className="optional">(optional)</span>
          </label>
          <input
            id={ids.name}
            className="input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            placeholder="Summer campaign"
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={ids.keywords}>Keywords</label>
          <KeywordInput id={ids.keywords} value={keywords} onChange={setKeywords} describedBy={ids.keywordsHelp} />
          <p className="help" id={ids.keywordsHelp}>
            Press Enter or comma to add a keyword, Backspace to remove the last one. Up to {MAX_KEYWORDS}: brand,
            product, campaign or place names work best.
          </p>
        </div>
        <fieldset className="options">
          <legend>Naming options</legend>
          <div className="options-grid">
            <div className="field">
              <label htmlFor={ids.language}>Language</label>
              <select id={ids.language} className="input" value={language} onChange={(e) => setLanguage(e.target.value)}>
                {LANGUAGES.map((l) => (
                  <option key={l.code} value={l.code}>
                    {l.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={ids.length}>Max name length</label>
              <div className="range-row">
                <input
                  id={ids.length}
                  type="range"
                  min={MIN_LENGTH}
                  max={MAX_LENGTH}
                  step={5}
                  value={maxLength}
                  onChange={(e) => setMaxLength(Number(e.target.value))}
                  aria-describedby={ids.lengthHelp}
                  aria-valuetext={`${maxLength} characters`}
                />
                <output htmlFor={ids.length} className="range-value">
                  {maxLength}
                </output>
              </div>
              <p className="help" id={ids.lengthHelp}>
                Characters before the extension ({MIN_LENGTH}–{MAX_LENGTH}).
              </p>
            </div>
          </div>
        </fieldset>
        <div className="preview-name" aria-live="polite">
          <span className="eyebrow">Example filename</span>
          <code>{examplePreview(keywords, maxLength)}</code>
        </div>
        <div className="form-actions">
          <Link href="/" className="btn btn-ghost">
            Cancel
          </Link>
          <button type="submit" className="btn btn-primary btn-lg" disabled={busy}>
            {busy ? <Spinner size={16} /> : null}
            Create batch and add images
            {!busy && <ArrowRightIcon size={18} />}
          </button>
        </div>
      </form>
    </>
  );
}
