// How a batch's options read to people: language names, provider names, case styles.
import type { Schemas } from "@/api/client";

export type BatchOptionsCatalog = Schemas["BatchOptions"];
export type CaseStyle = Schemas["BatchCreate"]["case_style"] & string;

/** Used until GET /options answers (and if it fails): what every deployment accepts. */
export const FALLBACK_CATALOG: BatchOptionsCatalog = {
  languages: ["en"],
  case_styles: ["kebab", "snake"],
  template_fields: [],
  providers: [],
  default_providers: [],
};

const englishNames = new Intl.DisplayNames(["en"], { type: "language" });

/** "de" -> "German (Deutsch)": the English name to find it, the native one to recognise it. */
export function languageLabel(code: string): string {
  const english = englishNames.of(code) ?? code;
  const native = new Intl.DisplayNames([code], { type: "language" }).of(code);
  return native && native.toLowerCase() !== english.toLowerCase() ? `${english} (${native})` : english;
}

export function languageName(code: string): string {
  return englishNames.of(code) ?? code;
}

const PROVIDER_LABELS: Record<string, string> = {
  local: "Built-in analyser",
  openai: "OpenAI",
  openai_compatible: "OpenAI-compatible server",
  google_vision: "Google Cloud Vision",
};

export function providerLabel(name: string): string {
  return PROVIDER_LABELS[name] ?? name.replace(/_/g, " ");
}

export function chainLabel(names: readonly string[]): string {
  return names.map(providerLabel).join(", then ");
}

export const CASE_STYLE_LABELS: Record<string, string> = {
  kebab: "kebab-case: red-leather-bag",
  snake: "snake_case: red_leather_bag",
};

export function caseStyleSeparator(style: string): string {
  return style === "snake" ? "_" : "-";
}
