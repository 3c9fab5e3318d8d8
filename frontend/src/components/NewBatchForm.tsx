"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

import { ApiError, api, fieldErrors, messageOf, unwrap } from "@/api/client";
import { useBatchOptions } from "@/hooks/useBatchOptions";
import { FALLBACK_CATALOG, languageLabel } from "@/lib/batchOptions";
import { templatePreview } from "@/lib/template";

import { ADVANCED_DEFAULTS, AdvancedOptions, type Advanced } from "./AdvancedOptions";
import { ArrowLeftIcon, ArrowRightIcon } from "./Icons";
import { KeywordInput, MAX_KEYWORDS } from "./KeywordInput";
import { InlineAlert, Spinner } from "./ui";

const MIN_LENGTH = 20;
const MAX_LENGTH = 120;
const DEFAULT_LENGTH = 60;
// Roughly how names read without a template: what the picture shows, then the keywords.
const DEFAULT_SHAPE = "{color} {material} {subject} {keywords}";
// Errors the API raises outside request validation, by the field they are about.
const FIELD_OF_CODE: Record<string, keyof Advanced> = {
  invalid_template: "name_template",
  invalid_pattern: "keep_pattern",
  provider_not_available: "providers",
};
const ADVANCED_FIELDS = new Set<string>(Object.keys(ADVANCED_DEFAULTS));

function errorsByField(cause: unknown): Record<string, string> {
  const found = fieldErrors(cause);
  if (cause instanceof ApiError && FIELD_OF_CODE[cause.code]) found[FIELD_OF_CODE[cause.code]!] ??= cause.detail;
  return found;
}

export function NewBatchForm() {
  const router = useRouter();
  const { catalog: offered, error: optionsError } = useBatchOptions();
  const catalog = offered ?? FALLBACK_CATALOG;
  const [name, setName] = useState("");
  const [keywords, setKeywords] = useState<string[]>([]);
  const [language, setLanguage] = useState("en");
  const [maxLength, setMaxLength] = useState(DEFAULT_LENGTH);
  const [brand, setBrand] = useState("");
  const [advanced, setAdvanced] = useState<Advanced>(ADVANCED_DEFAULTS);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const ids = {
    name: useId(),
    keywords: useId(),
    keywordsHelp: useId(),
    language: useId(),
    length: useId(),
    lengthHelp: useId(),
    brand: useId(),
    brandHelp: useId(),
    brandError: useId(),
  };

  function changeAdvanced(change: Partial<Advanced>) {
    setAdvanced((current) => ({ ...current, ...change }));
    // A field's server message no longer describes what is typed there.
    setErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(change)) delete next[key];
      return next;
    });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    // A keyword still in the field counts too.
    const pending = (document.getElementById(ids.keywords) as HTMLInputElement | null)?.value.trim();
    const allKeywords = pending ? [...keywords, pending].slice(0, MAX_KEYWORDS) : keywords;
    try {
      const batch = await unwrap(
        api().POST("/batches", {
          body: {
            name: name.trim(),
            keywords: allKeywords,
            language,
            max_name_length: maxLength,
            brand: brand.trim() || null,
            name_template: advanced.name_template.trim() || null,
            case_style: advanced.case_style === "snake" ? "snake" : "kebab",
            keep_pattern: advanced.keep_pattern.trim() || null,
            unicode_names: advanced.unicode_names,
            allow_unsafe_names: advanced.allow_unsafe_names,
            providers: advanced.providers.length ? advanced.providers : null,
            write_metadata: advanced.write_metadata,
            strip_gps: advanced.strip_gps,
          },
        }),
      );
      router.push(`/batches/${batch.id}`);
    } catch (cause) {
      const byField = errorsByField(cause);
      setErrors(byField);
      if (Object.keys(byField).some((field) => ADVANCED_FIELDS.has(field))) setAdvancedOpen(true);
      setError(messageOf(cause));
      setBusy(false);
    }
  }

  const preview = {
    language,
    brand: brand.trim(),
    keywords,
    caseStyle: advanced.case_style,
    unicode: advanced.unicode_names,
    maxLength,
  };
  const fields = catalog.template_fields.map((field) => field.name);
  const fromTemplate = templatePreview({ ...preview, template: advanced.name_template }, fields);
  const example = fromTemplate ?? templatePreview({ ...preview, template: DEFAULT_SHAPE }, []);

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
        {optionsError && (
          <InlineAlert tone="warning">
            The list of languages and naming fields could not be loaded ({optionsError}); you can still create an
            English batch.
          </InlineAlert>
        )}
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
                {catalog.languages.map((code) => (
                  <option key={code} value={code}>
                    {languageLabel(code)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={ids.brand}>
                Brand <span className="optional">(optional)</span>
              </label>
              <input
                id={ids.brand}
                className="input"
                value={brand}
                maxLength={100}
                onChange={(e) => setBrand(e.target.value)}
                placeholder="Acme"
                autoComplete="off"
                aria-invalid={errors.brand ? true : undefined}
                aria-describedby={[errors.brand ? ids.brandError : "", ids.brandHelp].filter(Boolean).join(" ")}
              />
              {errors.brand && (
                <p className="error-text" id={ids.brandError} role="alert">
                  {errors.brand}
                </p>
              )}
              <p className="help" id={ids.brandHelp}>
                Used in names and alt text, and as {"{brand}"} in a template.
              </p>
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
        <details className="advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
          <summary>
            <span className="advanced-title">Advanced options</span>
            <span className="help">Naming template, case style, SKU pattern, safety, metadata and GPS</span>
          </summary>
          <div className="advanced-body">
            <AdvancedOptions
              value={advanced}
              onChange={changeAdvanced}
              catalog={catalog}
              errors={errors}
              templatePreview={fromTemplate}
            />
          </div>
        </details>
        <div className="preview-name" aria-live="polite">
          <span className="eyebrow">Example filename{fromTemplate ? " from your template" : ""}</span>
          <code>{example ?? "image.jpg"}</code>
        </div>
        {error && (
          <div className="form-error" data-testid="form-error">
            <InlineAlert>{error}</InlineAlert>
          </div>
        )}
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
