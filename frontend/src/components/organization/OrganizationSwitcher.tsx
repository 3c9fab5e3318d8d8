"use client";

// The organization menu in the header: which organization the app shows, the others the
// person belongs to (with their role), and a way to create one.
import Link from "next/link";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { messageOf } from "@/api/client";

import { BuildingIcon, CheckIcon, ChevronDownIcon, PlusIcon } from "../Icons";
import { Spinner } from "../ui";
import { ROLE_LABELS, useOrganization } from "./OrganizationProvider";

export function OrganizationSwitcher() {
  const { current, organizations, error, switchTo, create } = useOrganization();
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState<string | null>(null); // the organization being switched to, or "new"
  const [problem, setProblem] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const nameId = useId();

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  async function choose(organizationId: string) {
    if (organizationId === current?.id) {
      setOpen(false);
      return;
    }
    setBusy(organizationId);
    setProblem(null);
    try {
      await switchTo(organizationId); // reloads the app on success
    } catch (cause) {
      setProblem(messageOf(cause));
      setBusy(null);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setProblem("Give the organization a name.");
      return;
    }
    setBusy("new");
    setProblem(null);
    try {
      await create(trimmed);
    } catch (cause) {
      setProblem(messageOf(cause));
      setBusy(null);
    }
  }

  const label = current?.name ?? (error ? "Organization" : "Loading…");

  return (
    <div className="org-switcher" ref={root}>
      <button
        type="button"
        className="org-trigger"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Organization: ${label}. Switch organization`}
        onClick={() => {
          setOpen((value) => !value);
          setProblem(null);
        }}
        data-testid="org-switcher"
      >
        <BuildingIcon size={16} />
        <span className="org-trigger-name">{label}</span>
        <ChevronDownIcon size={16} />
      </button>
      {open && (
        <div className="org-menu" id={menuId}>
          <p className="org-menu-title">Organizations</p>
          {error && <p className="error-text org-menu-error">{error}</p>}
          <ul className="org-list" aria-label="Your organizations">
            {organizations.map((organization) => {
              const selected = organization.id === current?.id;
              return (
                <li key={organization.id}>
                  <button
                    type="button"
                    className="org-option"
                    aria-current={selected ? "true" : undefined}
                    onClick={() => void choose(organization.id)}
                    disabled={busy !== null}
                  >
                    <span className="org-option-text">
                      <span className="org-option-name">{organization.name}</span>
                      <span className="org-option-role">
                        {ROLE_LABELS[organization.role]}
                        {organization.personal ? " · personal" : ""}
                      </span>
                    </span>
                    {busy === organization.id ? (
                      <Spinner size={14} label={`Switching to ${organization.name}`} />
                    ) : (
                      selected && (
                        <>
                          <CheckIcon size={16} />
                          <span className="visually-hidden">(current)</span>
                        </>
                      )
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
          {creating ? (
            <form className="org-create" onSubmit={submit}>
              <label htmlFor={nameId}>New organization</label>
              <input
                id={nameId}
                className="input input-sm"
                value={name}
                onChange={(event) => setName(event.target.value)}
                maxLength={200}
                placeholder="e.g. Acme marketing"
                autoFocus
              />
              <div className="org-create-actions">
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCreating(false)}>
                  Cancel
                </button>
                <button type="submit" className="btn btn-primary btn-sm" disabled={busy !== null}>
                  {busy === "new" && <Spinner size={14} />}
                  Create
                </button>
              </div>
            </form>
          ) : (
            <button type="button" className="org-option org-option-new" onClick={() => setCreating(true)}>
              <PlusIcon size={16} /> Create organization
            </button>
          )}
          <div className="org-menu-links">
            <Link href="/settings" className="org-option" onClick={() => setOpen(false)}>
              Members and API keys
            </Link>
            <Link href="/billing" className="org-option" onClick={() => setOpen(false)}>
              Plan and billing
            </Link>
          </div>
          {problem && (
            <p className="error-text org-menu-error" role="alert">
              {problem}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
