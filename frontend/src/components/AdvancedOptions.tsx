"use client";

import { useId } from "react";

import {
  CASE_STYLE_LABELS,
  chainLabel,
  providerLabel,
  type BatchOptionsCatalog,
} from "@/lib/batchOptions";

import { CheckField, DeliveryOptions, type Delivery } from "./DeliveryOptions";
import { TemplateInput } from "./TemplateInput";

export type Advanced = Delivery & {
  name_template: string;
  case_style: string;
  keep_pattern: string;
  unicode_names: boolean;
  allow_unsafe_names: boolean;
  providers: string[]; // empty: the deployment's default chain
};

export const ADVANCED_DEFAULTS: Advanced = {
  name_template: "",
  case_style: "kebab",
  keep_pattern: "",
  unicode_names: false,
  allow_unsafe_names: false,
  providers: [],
  write_metadata: false,
  strip_gps: false,
};

/** The fields of the new-batch form's "Advanced" disclosure. */
export function AdvancedOptions({
  value,
  onChange,
  catalog,
  errors,
  templatePreview,
}: {
  value: Advanced;
  onChange: (change: Partial<Advanced>) => void;
  catalog: BatchOptionsCatalog;
  errors: Record<string, string>;
  templatePreview: string | null;
}) {
  const id = useId();
  const ids = {
    caseStyle: `${id}-case`,
    keep: `${id}-keep`,
    keepHelp: `${id}-keep-help`,
    keepError: `${id}-keep-error`,
    unicode: `${id}-unicode`,
    unsafe: `${id}-unsafe`,
    providersHelp: `${id}-providers-help`,
    providersError: `${id}-providers-error`,
  };
  return (
    <>
      <fieldset className="options options-nested">
        <legend>Filenames</legend>
        <TemplateInput
          value={value.name_template}
          onChange={(name_template) => onChange({ name_template })}
          fields={catalog.template_fields}
          caseStyle={value.case_style}
          preview={templatePreview}
          error={errors.name_template}
        />
        <div className="options-grid">
          <div className="field">
            <label htmlFor={ids.caseStyle}>Case style</label>
            <select
              id={ids.caseStyle}
              className="input"
              value={value.case_style}
              onChange={(event) => onChange({ case_style: event.target.value })}
            >
              {catalog.case_styles.map((style) => (
                <option key={style} value={style}>
                  {CASE_STYLE_LABELS[style] ?? style}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.keep}>
              Keep pattern <span className="optional">(optional)</span>
            </label>
            <input
              id={ids.keep}
              className="input input-mono"
              value={value.keep_pattern}
              onChange={(event) => onChange({ keep_pattern: event.target.value })}
              placeholder="[A-Z]{2}-\d{4}"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={errors.keep_pattern ? true : undefined}
              aria-describedby={[errors.keep_pattern ? ids.keepError : "", ids.keepHelp].filter(Boolean).join(" ")}
            />
            {errors.keep_pattern && (
              <p className="error-text" id={ids.keepError} role="alert">
                {errors.keep_pattern}
              </p>
            )}
            <p className="help" id={ids.keepHelp}>
              A regular expression; what it matches in the original filename (a SKU such as AB-1234) stays in the new
              name. Place it with {"{sku}"} in a template.
            </p>
          </div>
        </div>
        <CheckField
          id={ids.unicode}
          label="Keep non-Latin letters"
          help="Names keep letters of any script (красная-сумка) instead of spelling them in ASCII (krasnaya-sumka). Some older systems only handle ASCII filenames."
          checked={value.unicode_names}
          onChange={(unicode_names) => onChange({ unicode_names })}
        />
        <CheckField
          id={ids.unsafe}
          label="Allow descriptive names for flagged images"
          help="Pictures the safety check flags (nudity, violence) get a neutral name and alt text unless this is on. Turn it on for catalogues where such pictures are expected, such as swimwear or medical images."
          checked={value.allow_unsafe_names}
          onChange={(allow_unsafe_names) => onChange({ allow_unsafe_names })}
        />
      </fieldset>

      {catalog.providers.length > 1 && (
        <fieldset className="options options-nested" aria-describedby={ids.providersHelp}>
          <legend>Image analysis</legend>
          <ProviderChain
            value={value.providers}
            onChange={(providers) => onChange({ providers })}
            available={catalog.providers}
            fallback={catalog.default_providers}
            invalid={Boolean(errors.providers)}
          />
          {errors.providers && (
            <p className="error-text" id={ids.providersError} role="alert">
              {errors.providers}
            </p>
          )}
          <p className="help" id={ids.providersHelp}>
            The first provider analyses each picture; the next ones take over when it is unavailable. Cloud providers
            describe pictures best and are billed per image.
          </p>
        </fieldset>
      )}

      <fieldset className="options options-nested">
        <legend>Delivered files</legend>
        <DeliveryOptions value={value} onChange={onChange} />
        <p className="help">Both can be changed after the batch is done; the ZIP is then rebuilt.</p>
      </fieldset>
    </>
  );
}

const STEPS = ["Analyse with", "If unavailable, then", "If that is unavailable too"];

/** Up to three providers in order; the first select also offers the deployment's default chain. */
function ProviderChain({
  value,
  onChange,
  available,
  fallback,
  invalid,
}: {
  value: string[];
  onChange: (chain: string[]) => void;
  available: string[];
  fallback: string[];
  invalid: boolean;
}) {
  const id = useId();
  const shown = Math.min(STEPS.length, available.length, value.length + 1);
  return (
    <div className="options-grid">
      {STEPS.slice(0, shown).map((label, index) => {
        const choices = available.filter((name) => !value.slice(0, index).includes(name));
        return (
          <div className="field" key={label}>
            <label htmlFor={`${id}-${index}`}>{label}</label>
            <select
              id={`${id}-${index}`}
              className="input"
              value={value[index] ?? ""}
              aria-invalid={invalid ? true : undefined}
              onChange={(event) => {
                const picked = event.target.value;
                onChange(picked ? [...value.slice(0, index), picked] : value.slice(0, index));
              }}
            >
              <option value="">
                {index === 0 ? `Default: ${chainLabel(fallback) || "built-in"}` : "Nothing else"}
              </option>
              {choices.map((name) => (
                <option key={name} value={name}>
                  {providerLabel(name)}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </div>
  );
}
