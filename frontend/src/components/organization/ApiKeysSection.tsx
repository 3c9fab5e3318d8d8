"use client";

import { useCallback, useId, useRef, useState, type FormEvent } from "react";

import { api, fieldErrors, messageOf, unwrap, type ApiKey, type ApiKeyCreated, type Organization } from "@/api/client";
import { useResource } from "@/hooks/useResource";
import { formatDate, formatDateTime } from "@/lib/format";

import { ConfirmDialog } from "../ConfirmDialog";
import { AlertIcon, CheckIcon, CopyIcon, KeyIcon } from "../Icons";
import { InlineAlert, Spinner } from "../ui";

/** The new key, shown this once: the API keeps only its hash. */
function NewKeyPanel({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const inputId = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
    } catch {
      // No clipboard access (an insecure origin or a refused permission): select it instead.
      field.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className="new-key" role="region" aria-label="Your new API key" data-testid="new-api-key">
      <p className="new-key-warning">
        <AlertIcon size={18} />
        <span>
          <strong>Copy this key now.</strong> It is shown only once; we keep only a fingerprint of it. If you lose it,
          revoke it and create another.
        </span>
      </p>
      <label htmlFor={inputId} className="visually-hidden">
        API key {created.name}
      </label>
      <div className="new-key-value">
        <input
          id={inputId}
          ref={field}
          className="input input-mono"
          readOnly
          value={created.key}
          onFocus={(event) => event.target.select()}
          data-testid="new-api-key-value"
        />
        <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
          {copied === "yes" ? <CheckIcon size={16} /> : <CopyIcon size={16} />}
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="muted small" aria-live="polite">
        {copied === "failed"
          ? "Your browser did not allow copying: the key is selected, press Ctrl+C (⌘C on a Mac)."
          : "Send it as “Authorization: Bearer <key>”. It acts for this organization with member rights."}
      </p>
      <button type="button" className="btn btn-primary btn-sm" onClick={onDone}>
        I have stored the key
      </button>
    </div>
  );
}

export function ApiKeysSection({ organization }: { organization: Organization }) {
  const keys = useResource(
    useCallback(
      async () =>
        (
          await unwrap(
            api().GET("/organizations/{organization_id}/api-keys", { params: { path: { organization_id: organization.id } } }),
          )
        ).filter((key) => !key.revoked_at),
      [organization.id],
    ),
  );
  const [name, setName] = useState("");
  const [creating, setCreating] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const nameId = useId();
  const organizationId = organization.id;

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const trimmed = name.trim();
    if (!trimmed) {
      setFormError("Name the key after what uses it, e.g. “nightly import”.");
      return;
    }
    setCreating(true);
    try {
      const key = await unwrap(
        api().POST("/organizations/{organization_id}/api-keys", {
          params: { path: { organization_id: organizationId } },
          body: { name: trimmed },
        }),
      );
      setCreated(key);
      setName("");
      const { key: _secret, ...listed } = key; // the list never holds the secret
      void _secret;
      keys.setData((list) => [listed, ...(list ?? [])]);
    } catch (cause) {
      setFormError(fieldErrors(cause).name ?? messageOf(cause));
    } finally {
      setCreating(false);
    }
  }

  async function revoke(key: ApiKey) {
    await unwrap(
      api().DELETE("/organizations/{organization_id}/api-keys/{key_id}", {
        params: { path: { organization_id: organizationId, key_id: key.id } },
      }),
    );
    keys.setData((list) => list?.filter((k) => k.id !== key.id) ?? null);
    if (created?.id === key.id) setCreated(null);
  }

  return (
    <section className="card settings-section" aria-labelledby="keys-title" data-testid="api-keys-section">
      <div className="settings-section-head">
        <span className="settings-section-icon" aria-hidden="true">
          <KeyIcon size={20} />
        </span>
        <div>
          <h2 id="keys-title">API keys</h2>
          <p className="muted">
            For scripts and integrations: a key uploads and reads batches of {organization.name}, counted against its
            monthly quota.
          </p>
        </div>
      </div>

      {created ? (
        <NewKeyPanel created={created} onDone={() => setCreated(null)} />
      ) : (
        <form className="invite-form" onSubmit={create} noValidate>
          <div className="field invite-email">
            <label htmlFor={nameId}>Key name</label>
            <input
              id={nameId}
              className="input"
              value={name}
              maxLength={100}
              placeholder="e.g. nightly import"
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary invite-submit" disabled={creating}>
            {creating && <Spinner size={14} />}
            Create API key
          </button>
        </form>
      )}
      {formError && <InlineAlert>{formError}</InlineAlert>}

      {keys.error && <InlineAlert>{keys.error}</InlineAlert>}
      {!keys.data && !keys.error && <Spinner label="Loading API keys" />}
      {keys.data && keys.data.length === 0 && <p className="muted">No API keys yet.</p>}
      {keys.data && keys.data.length > 0 && (
        <table className="key-table">
          <caption className="visually-hidden">Active API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id} data-testid="api-key-row">
                <td className="key-name">{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{formatDate(key.created_at)}</td>
                <td>{key.last_used_at ? formatDateTime(key.last_used_at) : "Never"}</td>
                <td className="key-actions">
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => setRevoking(key)}>
                    Revoke<span className="visually-hidden"> {key.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          onConfirm={() => revoke(revoking)}
          onClose={() => setRevoking(null)}
        >
          <p>
            Anything using the key <code>{revoking.prefix}…</code> gets “401 Unauthorized” from now on. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
