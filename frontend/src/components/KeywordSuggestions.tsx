"use client";

import { useId, useState, type FormEvent } from "react";

import { api, messageOf, unwrap, type Batch, type Schemas } from "@/api/client";

import { CheckIcon, PlusIcon, SparkleIcon } from "./Icons";
import { MAX_KEYWORDS } from "./KeywordInput";
import { InlineAlert, Spinner } from "./ui";

type Suggestions = Schemas["KeywordSuggestionResponse"];

const SOURCE_LABEL: Record<string, string> = {
  provider: "suggested by the AI provider",
  analyses: "seen in this batch’s pictures",
};

/** Related keywords to add while uploads are open (keywords steer the names made after). */
export function KeywordSuggestions({ batch, onBatchChange }: { batch: Batch; onBatchChange: (batch: Batch) => void }) {
  const [audience, setAudience] = useState("");
  const [result, setResult] = useState<Suggestions | null>(null);
  const [loading, setLoading] = useState(false);
  const [adding, setAdding] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const has = (keyword: string) => batch.keywords.some((k) => k.toLowerCase() === keyword.toLowerCase());
  const full = batch.keywords.length >= MAX_KEYWORDS;

  async function suggest(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setLoading(true);
    setError(null);
    try {
      const body = { audience: audience.trim() || null, limit: 12 };
      setResult(await unwrap(api().POST("/batches/{batch_id}/keyword-suggestions", { params: { path: { batch_id: batch.id } }, body })));
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setLoading(false);
    }
  }

  async function add(keyword: string) {
    setAdding(keyword);
    setError(null);
    try {
      const keywords = [...batch.keywords, keyword];
      onBatchChange(
        await unwrap(api().PATCH("/batches/{batch_id}", { params: { path: { batch_id: batch.id } }, body: { keywords } })),
      );
    } catch (cause) {
      setError(messageOf(cause));
    } finally {
      setAdding(null);
    }
  }

  return (
    <section className="card suggest-card" aria-labelledby={`${id}-title`} data-testid="keyword-suggestions">
      <div className="suggest-head">
        <span className="summary-icon summary-icon-progress" aria-hidden="true">
          <SparkleIcon size={18} />
        </span>
        <div>
          <h3 id={`${id}-title`}>Keyword ideas</h3>
          <p className="muted small">
            Ranked from what the pictures uploaded so far show and, with an AI provider, related search terms. Added
            keywords steer the images named after.
          </p>
        </div>
      </div>
      <form className="suggest-form" onSubmit={suggest}>
        <div className="field">
          <label htmlFor={`${id}-audience`}>
            Audience <span className="optional">(optional)</span>
          </label>
          <input
            id={`${id}-audience`}
            className="input"
            value={audience}
            maxLength={200}
            onChange={(event) => setAudience(event.target.value)}
            placeholder="young families in Lyon"
            autoComplete="off"
            aria-describedby={`${id}-audience-help`}
          />
          <p className="help" id={`${id}-audience-help`}>
            Who the pictures are for; suggestions lean towards what they search for.
          </p>
        </div>
        <button type="submit" className="btn btn-secondary" disabled={loading}>
          {loading ? <Spinner size={14} /> : <SparkleIcon size={16} />}
          Suggest keywords
        </button>
      </form>
      {error && <InlineAlert>{error}</InlineAlert>}
      {result?.note && <InlineAlert tone="info">{result.note}</InlineAlert>}
      {result && result.suggestions.length === 0 && (
        <p className="muted small" role="status">
          No suggestions yet. They come from pictures already analysed: upload a few images, wait for their names, then
          ask again.
        </p>
      )}
      {result && result.suggestions.length > 0 && (
        <>
          <ol className="suggestions" aria-label="Keyword ideas, most relevant first">
            {result.suggestions.map((suggestion) => {
              const added = has(suggestion.keyword);
              return (
                <li key={suggestion.keyword}>
                  <button
                    type="button"
                    className={`suggestion${added ? " suggestion-added" : ""}`}
                    onClick={() => void add(suggestion.keyword)}
                    disabled={added || full || adding !== null}
                    title={`Relevance ${Math.round(suggestion.score * 100)}%, ${SOURCE_LABEL[suggestion.source] ?? suggestion.source}`}
                    data-testid="keyword-suggestion"
                    data-keyword={suggestion.keyword}
                  >
                    {adding === suggestion.keyword ? <Spinner size={12} /> : added ? <CheckIcon size={14} /> : <PlusIcon size={14} />}
                    <span className="visually-hidden">{added ? "Added keyword " : "Add keyword "}</span>
                    <span>{suggestion.keyword}</span>
                    <span className="suggestion-score" aria-hidden="true" style={{ width: `${Math.max(8, Math.round(suggestion.score * 28))}px` }} />
                  </button>
                </li>
              );
            })}
          </ol>
          {full && <p className="help">This batch has {MAX_KEYWORDS} keywords, the most it can take.</p>}
        </>
      )}
    </section>
  );
}
