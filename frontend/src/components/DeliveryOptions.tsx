"use client";

import { useId } from "react";

import { Spinner } from "./ui";

export type Delivery = { write_metadata: boolean; strip_gps: boolean };

const CHOICES: { key: keyof Delivery; label: string; help: string }[] = [
  {
    key: "write_metadata",
    label: "Write alt text and keywords into the files",
    help: "Stored in each delivered file’s EXIF, XMP and IPTC metadata, where DAM systems and image search read them.",
  },
  {
    key: "strip_gps",
    label: "Strip GPS location",
    help: "Removes the GPS position from delivered files, so published photos don’t reveal where they were taken.",
  },
];

/** The options that only change the delivered files: settable at creation and at any time after. */
export function DeliveryOptions({
  value,
  onChange,
  saving,
  disabled = false,
}: {
  value: Delivery;
  onChange: (change: Partial<Delivery>) => void;
  saving?: keyof Delivery | null;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="check-list">
      {CHOICES.map((choice) => (
        <div key={choice.key} className="check-field">
          <input
            id={`${id}-${choice.key}`}
            type="checkbox"
            checked={value[choice.key]}
            disabled={disabled || Boolean(saving)}
            onChange={(event) => onChange({ [choice.key]: event.target.checked })}
            aria-describedby={`${id}-${choice.key}-help`}
            data-testid={`option-${choice.key}`}
          />
          <div>
            <label htmlFor={`${id}-${choice.key}`}>{choice.label}</label>
            {saving === choice.key && <Spinner size={12} label="Saving" />}
            <p className="help" id={`${id}-${choice.key}-help`}>
              {choice.help}
            </p>
          </div>
        </div>
      ))}
    </div>
  );
}

/** A checkbox with its label and help, laid out like the delivery options. */
export function CheckField({
  id,
  label,
  help,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  help: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="check-field">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={`${id}-help`}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      </div>
    </div>
  );
}
