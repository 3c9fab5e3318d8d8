"use client";

import { useId, useRef, type ReactNode } from "react";

import type { BatchOptionsCatalog } from "@/lib/batchOptions";
import { caseStyleSeparator } from "@/lib/batchOptions";
import { templateProblem } from "@/lib/template";

/** The naming template: typed, or built by clicking the fields this deployment offers. */
export function TemplateInput({
  value,
  onChange,
  fields,
  caseStyle,
  preview,
  error,
}: {
  value: string;
  onChange: (template: string) => void;
  fields: BatchOptionsCatalog["template_fields"];
  caseStyle: string;
  preview: string | null;
  error?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const ids = { help: `${id}-help`, hint: `${id}-hint`, error: `${id}-error`, fields: `${id}-fields` };
  const problem = templateProblem(
    value,
    fields.map((field) => field.name),
  );

  // The server's sentence (shown above) says more than this check while it is there.
  let hint: ReactNode = null;
  if (!error && problem) hint = problem;
  else if (!error && preview)
    hint = (
      <>
        Example: <code>{preview}</code>
      </>
    );
  else if (!error) hint = "Empty: names are composed from what each picture shows, then your keywords.";

  function insert(name: string) {
    const element = input.current;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    const before = value.slice(0, start);
    // Joined to the previous field with the case style's separator, so clicks alone make a valid template.
    const joiner = before && !/[\s_\-./]$/.test(before) ? caseStyleSeparator(caseStyle) : "";
    const token = `${joiner}{${name}}`;
    onChange(before + token + value.slice(end));
    const caret = start + token.length;
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(caret, caret);
    });
  }

  return (
    <div className="field">
      <label htmlFor={id}>
        Naming template <span className="optional">(optional)</span>
      </label>
      <input
        ref={input}
        id={id}
        className="input input-mono"
        value={value}
        maxLength={200}
        onChange={(event) => onChange(event.target.value)}
        placeholder="{brand}-{subject}-{color}-{keyword}-{n}"
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={[error ? ids.error : "", ids.hint, ids.help].filter(Boolean).join(" ")}
        data-testid="template-input"
      />
      {error && (
        <p className="error-text" id={ids.error} role="alert" data-testid="template-error">
          {error}
        </p>
      )}
      <p className={`help template-hint${problem ? " template-hint-warning" : ""}`} id={ids.hint} aria-live="polite" data-testid="template-hint">
        {hint}
      </p>
      <p className="help" id={ids.help}>
        Fields in braces are filled per image; other words are kept as written. A field with nothing to say for an
        image is left out.
      </p>
      {fields.length > 0 && (
        <div className="field-chips" role="group" aria-label="Insert a template field" id={ids.fields}>
          {fields.map((field) => (
            <button key={field.name} type="button" className="field-chip" title={field.description} onClick={() => insert(field.name)}>
              {`{${field.name}}`}
              <span className="visually-hidden">: {field.description}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
