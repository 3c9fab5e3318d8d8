// Generated from openapi.json by `npm run gen:api` (scripts/gen-api.mjs). Do not edit.
export interface paths {
    "/auth/csrf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Csrf Token
         * @description The CSRF token of the current cookie session, for a web app that has just reloaded.
         */
        get: operations["csrf_token_auth_csrf_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log In */
        post: operations["log_in_auth_login_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log Out
         * @description End this session: its cookie or bearer token gets 401 from now on (other devices stay signed in).
         */
        post: operations["log_out_auth_logout_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete Account
         * @description Delete your account and all your data: your personal organization and every
         *     organization where you are the only member, with their batches, images and stored files.
         *     Batches you made in an organization shared with others stay with it. Refused (409) while
         *     you are the only owner of an organization with other members: make one of them an owner
         *     first. Send your password again to confirm (403 without it). Your tokens stop working at once.
         */
        delete: operations["delete_account_auth_me_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/oidc/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Oidc Callback
         * @description The provider sends the browser back here; on success it is signed in with the session
         *     cookie and sent to the app, otherwise to the login page with ?error=<code>.
         */
        get: operations["oidc_callback_auth_oidc_callback_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/oidc/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Oidc Login
         * @description Start signing in with the configured OpenID Connect provider (Google by default).
         */
        get: operations["oidc_login_auth_oidc_login_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/password-reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request Password Reset
         * @description Mail a reset link. The answer is the same whether or not the address has an account.
         */
        post: operations["request_password_reset_auth_password_reset_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/password-reset/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm Password Reset
         * @description Set a new password with the mailed token; every existing session is signed out.
         */
        post: operations["confirm_password_reset_auth_password_reset_confirm_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign Up
         * @description Create an account and sign in. A verification mail goes to the address; unverified
         *     accounts may already upload (the web app shows a banner until the link is opened).
         */
        post: operations["sign_up_auth_signup_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/switch-organization": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Switch Organization
         * @description Work in another organization you belong to: a new session (bearer token, or with
         *     `use_cookie` the session cookie, as at login) whose tenant is that organization; the
         *     current session ends. 404 for an organization you are not a member of.
         */
        post: operations["switch_organization_auth_switch_organization_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify Email
         * @description Confirm an address with the token from the verification mail (single use).
         */
        post: operations["verify_email_auth_verify_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/verify/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend Verification
         * @description Send the verification mail again (at most once a minute).
         */
        post: operations["resend_verification_auth_verify_resend_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Batches */
        get: operations["list_batches_batches_get"];
        put?: never;
        /** Create Batch */
        post: operations["create_batch_batches_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Batch */
        get: operations["get_batch_batches__batch_id__get"];
        put?: never;
        post?: never;
        /**
         * Delete Batch
         * @description Delete the batch, its images and every stored file of it (originals, thumbnails, ZIPs,
         *     unfinished uploads) at once. A batch still being renamed is cancelled.
         */
        delete: operations["delete_batch_batches__batch_id__delete"];
        options?: never;
        head?: never;
        /**
         * Update Batch
         * @description Rename the batch or change its options. Naming options are fixed once uploads close;
         *     delivery options (metadata, GPS) can change at any time and rebuild the ZIP.
         */
        patch: operations["update_batch_batches__batch_id__patch"];
        trace?: never;
    };
    "/batches/{batch_id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download
         * @description A short-lived link to the ZIP of renamed images (409 while it is being built; 410 once
         *     the retention policy has deleted the files).
         */
        get: operations["download_batches__batch_id__download_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Images */
        get: operations["list_images_batches__batch_id__images_get"];
        put?: never;
        /**
         * Upload Images
         * @description Upload images as multipart/form-data (one part per file, field name `files`).
         *
         *     Each file gets a result: accepted (with its image id) or rejected with a code and
         *     a reason. Duplicates are skipped; files past the plan's monthly images are rejected with
         *     `quota_exceeded` and not stored. The response is 422 only when every file was refused.
         */
        post: operations["upload_images_batches__batch_id__images_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}/keyword-suggestions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Keyword Suggestions
         * @description Related keywords, ranked: from the batch's text-capable provider when it has one, and
         *     from what the batch's analysed images show.
         */
        post: operations["keyword_suggestions_batches__batch_id__keyword_suggestions_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}/manifest.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Manifest */
        get: operations["manifest_batches__batch_id__manifest_csv_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start Batch
         * @description Close uploads: the batch completes when its last image is named, then the ZIP is built.
         */
        post: operations["start_batch_batches__batch_id__start_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Presign Uploads
         * @description Presigned direct-to-storage uploads for large batches; then call `uploads/complete`.
         */
        post: operations["presign_uploads_batches__batch_id__uploads_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batches/{batch_id}/uploads/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete Uploads
         * @description Check the directly uploaded files exactly as multipart uploads are checked.
         */
        post: operations["complete_uploads_batches__batch_id__uploads_complete_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get Billing
         * @description The organization's plan, its status, this month's usage and the plans on offer.
         */
        get: operations["get_billing_billing_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Checkout
         * @description Upgrade: a Stripe Checkout Session (subscription) for the plan; send the browser to `url`.
         *     The plan changes when Stripe confirms the payment (webhook). Owner only.
         */
        post: operations["checkout_billing_checkout_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/portal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Portal
         * @description The Stripe billing portal (card, invoices, cancellation at the period end). Owner only.
         */
        post: operations["portal_billing_portal_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/billing/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stripe Webhook
         * @description Stripe's events, verified by the Stripe-Signature header. A replayed event is
         *     acknowledged (200) and not applied again.
         */
        post: operations["stripe_webhook_billing_webhook_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["liveness_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Providers
         * @description Whether each vision provider in the operator's chain works: a wrong key, an unknown
         *     model or a model that cannot read images is reported here in plain words.
         */
        get: operations["providers_health_providers_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness */
        get: operations["readiness_health_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/images/{image_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Image */
        get: operations["get_image_images__image_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Edit Image
         * @description Change the filename (same rules as proposals; must stay unique in the batch) or alt text.
         */
        patch: operations["edit_image_images__image_id__patch"];
        trace?: never;
    };
    "/images/{image_id}/regenerate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Regenerate
         * @description Analyse and name the image again; also retries a failed image.
         */
        post: operations["regenerate_images__image_id__regenerate_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/invitations/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept Invitation
         * @description Join the organization of an invitation, signed in with the address it was sent to.
         *     Switch to it afterwards (POST /auth/switch-organization) to work in it.
         */
        post: operations["accept_invitation_invitations_accept_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Me */
        get: operations["me_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Batch Options */
        get: operations["batch_options_options_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Organizations
         * @description Every organization you belong to, with your role (personal first).
         */
        get: operations["list_organizations_organizations_get"];
        put?: never;
        /**
         * Create Organization
         * @description A new organization with you as its owner. Switch to it (POST /auth/switch-organization)
         *     to work in it.
         */
        post: operations["create_organization_organizations_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations/{organization_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Rename Organization */
        patch: operations["rename_organization_organizations__organization_id__patch"];
        trace?: never;
    };
    "/organizations/{organization_id}/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Api Keys */
        get: operations["list_api_keys_organizations__organization_id__api_keys_get"];
        put?: never;
        /**
         * Create Api Key
         * @description A key for the API in this organization (`Authorization: Bearer rk_...`), with member
         *     rights. The key is in this answer only; it is stored hashed.
         */
        post: operations["create_api_key_organizations__organization_id__api_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations/{organization_id}/api-keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke Api Key
         * @description Revoked at once: the next request with the key gets 401.
         */
        delete: operations["revoke_api_key_organizations__organization_id__api_keys__key_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations/{organization_id}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Invitations
         * @description Invitations not yet accepted or revoked (expired ones say so).
         */
        get: operations["list_invitations_organizations__organization_id__invitations_get"];
        put?: never;
        /**
         * Invite
         * @description Mail a single-use invitation link. A new invitation to the same address replaces the
         *     pending one. Only owners invite owners.
         */
        post: operations["invite_organizations__organization_id__invitations_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations/{organization_id}/invitations/{invitation_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke Invitation */
        delete: operations["revoke_invitation_organizations__organization_id__invitations__invitation_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations/{organization_id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Members */
        get: operations["list_members_organizations__organization_id__members_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/organizations/{organization_id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove Member
         * @description Remove a member (owners and admins), or leave (your own id). Their access ends at once
         *     and their API keys for this organization are revoked.
         */
        delete: operations["remove_member_organizations__organization_id__members__user_id__delete"];
        options?: never;
        head?: never;
        /**
         * Change Member Role
         * @description Owners and admins change roles; only an owner makes (or unmakes) owners; the last
         *     owner keeps their role (409).
         */
        patch: operations["change_member_role_organizations__organization_id__members__user_id__patch"];
        trace?: never;
    };
    "/organizations/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Current Organization
         * @description The organization this session (or API key) works in, with your role.
         */
        get: operations["current_organization_organizations_current_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * AccountDeletion
         * @description A person confirms deleting their account by typing their password again.
         */
        AccountDeletion: {
            /**
             * Password
             * @description Required for email accounts.
             */
            password?: string | null;
        };
        /** ApiKeyCreate */
        ApiKeyCreate: {
            /**
             * Name
             * @description What the key is for, e.g. “nightly import”.
             */
            name: string;
        };
        /** ApiKeyCreated */
        ApiKeyCreated: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Key
             * @description Shown only now: store it safely. Send it as `Authorization: Bearer <key>`.
             */
            key: string;
            /**
             * Last Used At
             * @description Updated at most once a minute.
             */
            last_used_at: string | null;
            /** Name */
            name: string;
            /**
             * Organization Id
             * Format: uuid
             */
            organization_id: string;
            /**
             * Prefix
             * @description The key's first characters, to tell keys apart.
             */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
        };
        /** ApiKeyPublic */
        ApiKeyPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Created By */
            created_by: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /**
             * Last Used At
             * @description Updated at most once a minute.
             */
            last_used_at: string | null;
            /** Name */
            name: string;
            /**
             * Organization Id
             * Format: uuid
             */
            organization_id: string;
            /**
             * Prefix
             * @description The key's first characters, to tell keys apart.
             */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
        };
        /** BatchCreate */
        BatchCreate: {
            /**
             * Allow Unsafe Names
             * @description Describe pictures flagged unsafe in their names and alt text.
             * @default false
             */
            allow_unsafe_names?: boolean;
            /**
             * Brand
             * @description The brand, used in names and alt text.
             */
            brand?: string | null;
            /**
             * Case Style
             * @description kebab (red-handbag) or snake (red_handbag).
             * @default kebab
             * @enum {string}
             */
            case_style?: "kebab" | "snake";
            /**
             * Keep Pattern
             * @description A regular expression; its match in the original name is kept.
             */
            keep_pattern?: string | null;
            /**
             * Keywords
             * @description Up to 20 keywords or phrases.
             */
            keywords?: string[];
            /**
             * Language
             * @default en
             */
            language?: string;
            /**
             * Max Name Length
             * @description Characters before the extension.
             * @default 60
             */
            max_name_length?: number;
            /**
             * Name
             * @default
             */
            name?: string;
            /**
             * Name Template
             * @description A name pattern such as {brand}-{subject}-{n}; see the fields list.
             */
            name_template?: string | null;
            /**
             * Providers
             * @description Vision providers to try in order (at most 3); leave out for the default chain.
             */
            providers?: string[] | null;
            /**
             * Strip Gps
             * @description Remove GPS position from delivered files.
             * @default false
             */
            strip_gps?: boolean;
            /**
             * Unicode Names
             * @description Keep letters of any script instead of ASCII.
             * @default false
             */
            unicode_names?: boolean;
            /**
             * Write Metadata
             * @description Write the alt text into the file's metadata.
             * @default false
             */
            write_metadata?: boolean;
        };
        /** BatchOptions */
        BatchOptions: {
            /** Case Styles */
            case_styles: string[];
            /**
             * Default Providers
             * @description The chain used when a batch does not choose.
             */
            default_providers: string[];
            /** Languages */
            languages: string[];
            /**
             * Providers
             * @description Vision providers a batch may choose on this deployment.
             */
            providers: string[];
            /** Template Fields */
            template_fields: components["schemas"]["TemplateField"][];
        };
        /** BatchPage */
        BatchPage: {
            /** Items */
            items: components["schemas"]["BatchPublic"][];
            /** Page */
            page: number;
            /** Page Size */
            page_size: number;
            /** Total */
            total: number;
        };
        /** BatchPublic */
        BatchPublic: {
            /**
             * Allow Unsafe Names
             * @default false
             */
            allow_unsafe_names: boolean;
            /** Brand */
            brand?: string | null;
            /**
             * Case Style
             * @default kebab
             * @enum {string}
             */
            case_style: "kebab" | "snake";
            /** Completed At */
            completed_at: string | null;
            /**
             * Cost Usd
             * @default 0
             */
            cost_usd: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Download Ready */
            download_ready: boolean;
            /** Failed Images */
            failed_images: number;
            /**
             * Files Deleted At
             * @description When the originals and ZIP were deleted under the retention policy.
             */
            files_deleted_at?: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Keep Pattern */
            keep_pattern?: string | null;
            /** Keywords */
            keywords: string[];
            /** Language */
            language: string;
            /** Max Name Length */
            max_name_length: number;
            /** Name */
            name: string;
            /** Name Template */
            name_template?: string | null;
            /** Processed Images */
            processed_images: number;
            /** Providers */
            providers?: string[] | null;
            status: components["schemas"]["BatchStatus"];
            /**
             * Strip Gps
             * @default false
             */
            strip_gps: boolean;
            /** Total Images */
            total_images: number;
            /**
             * Unicode Names
             * @default false
             */
            unicode_names: boolean;
            /**
             * Write Metadata
             * @default false
             */
            write_metadata: boolean;
        };
        /**
         * BatchStatus
         * @enum {string}
         */
        BatchStatus: "PENDING" | "UPLOADING" | "PROCESSING" | "COMPLETED" | "PARTIAL" | "FAILED";
        /**
         * BatchUpdate
         * @description PATCH: every field optional; a field left out keeps its value. Send null for brand,
         *     name_template, keep_pattern or providers to clear them.
         */
        BatchUpdate: {
            /**
             * Allow Unsafe Names
             * @description Describe pictures flagged unsafe in their names and alt text.
             */
            allow_unsafe_names?: boolean | null;
            /**
             * Brand
             * @description The brand, used in names and alt text.
             */
            brand?: string | null;
            /**
             * Case Style
             * @description kebab (red-handbag) or snake (red_handbag).
             */
            case_style?: ("kebab" | "snake") | null;
            /**
             * Keep Pattern
             * @description A regular expression; its match in the original name is kept.
             */
            keep_pattern?: string | null;
            /**
             * Keywords
             * @description Up to 20 keywords or phrases.
             */
            keywords?: string[] | null;
            /** Language */
            language?: string | null;
            /**
             * Max Name Length
             * @description Characters before the extension.
             */
            max_name_length?: number | null;
            /** Name */
            name?: string | null;
            /**
             * Name Template
             * @description A name pattern such as {brand}-{subject}-{n}; see the fields list.
             */
            name_template?: string | null;
            /**
             * Providers
             * @description Vision providers to try in order (at most 3); leave out for the default chain.
             */
            providers?: string[] | null;
            /**
             * Strip Gps
             * @description Remove GPS position from delivered files.
             */
            strip_gps?: boolean | null;
            /**
             * Unicode Names
             * @description Keep letters of any script instead of ASCII.
             */
            unicode_names?: boolean | null;
            /**
             * Write Metadata
             * @description Write the alt text into the file's metadata.
             */
            write_metadata?: boolean | null;
        };
        /** BillingPublic */
        BillingPublic: {
            /**
             * Billing Enabled
             * @description Stripe is configured on this server.
             */
            billing_enabled: boolean;
            /**
             * Can Manage
             * @description The caller is the owner: may start a checkout or open the portal.
             */
            can_manage: boolean;
            /**
             * Cancel At Period End
             * @description Cancelled: the plan drops to Basic at current_period_end.
             */
            cancel_at_period_end: boolean;
            /**
             * Current Period End
             * @description When the paid period ends (renews or, if cancelled, ends).
             */
            current_period_end: string | null;
            /**
             * Has Billing Account
             * @description A Stripe customer exists, so the billing portal can open.
             */
            has_billing_account: boolean;
            plan: components["schemas"]["PlanPublic"];
            /** Plans */
            plans: components["schemas"]["PlanPublic"][];
            /**
             * Status
             * @description free, active, trialing, past_due, unpaid, canceled, incomplete ...
             */
            status: string;
            usage: components["schemas"]["UsagePublic"];
        };
        /** BillingRedirect */
        BillingRedirect: {
            /**
             * Url
             * @description Send the browser here (Stripe Checkout or the billing portal).
             */
            url: string;
        };
        /** CheckoutRequest */
        CheckoutRequest: {
            /**
             * Plan
             * @description The plan code to buy: PRO or MAX.
             */
            plan: string;
        };
        /** CompleteRequest */
        CompleteRequest: {
            /** Upload Ids */
            upload_ids: string[];
        };
        /**
         * CookieSessionResponse
         * @description The session itself is in the HttpOnly cookie; send csrf_token as X-CSRF-Token on every
         *     POST, PUT, PATCH and DELETE made with the cookie.
         */
        CookieSessionResponse: {
            /** Csrf Token */
            csrf_token: string;
            /** Expires In */
            expires_in: number;
            /**
             * Organization Id
             * @description The organization this session works in.
             */
            organization_id?: string | null;
            user: components["schemas"]["UserPublic"];
        };
        /** CsrfTokenResponse */
        CsrfTokenResponse: {
            /** Csrf Token */
            csrf_token: string;
        };
        /** DownloadLink */
        DownloadLink: {
            /** Expires In */
            expires_in: number;
            /** Filename */
            filename: string;
            /** Size */
            size: number | null;
            /** Url */
            url: string;
        };
        /** FileResult */
        FileResult: {
            /** Code */
            code?: string | null;
            /** Detail */
            detail?: string | null;
            /** Filename */
            filename: string;
            /** Image Id */
            image_id?: string | null;
            /** Mime Type */
            mime_type?: string | null;
            /**
             * Status
             * @enum {string}
             */
            status: "accepted" | "rejected";
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** ImageEdit */
        ImageEdit: {
            /** Alt Text */
            alt_text?: string | null;
            /**
             * Name
             * @description New filename, with or without extension.
             */
            name?: string | null;
        };
        /** ImagePage */
        ImagePage: {
            /** Items */
            items: components["schemas"]["ImagePublic"][];
            /** Page */
            page: number;
            /** Page Size */
            page_size: number;
            /** Total */
            total: number;
        };
        /** ImagePublic */
        ImagePublic: {
            /** Alt Text */
            alt_text: string | null;
            /**
             * Batch Id
             * Format: uuid
             */
            batch_id: string;
            /**
             * Cost Usd
             * @description Estimated provider cost of its analysis (0 when cached).
             * @default 0
             */
            cost_usd: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Failure Code */
            failure_code: string | null;
            /** Failure Reason */
            failure_reason: string | null;
            /** File Size */
            file_size: number;
            /** Final Name */
            final_name: string | null;
            /** Height */
            height: number;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Mime Type */
            mime_type: string;
            /** Name Edited */
            name_edited: boolean;
            /**
             * Near Duplicate Of
             * @description An earlier image of this batch that looks nearly the same.
             */
            near_duplicate_of?: string | null;
            /** Original Name */
            original_name: string;
            /** Processed At */
            processed_at: string | null;
            /** Proposed Name */
            proposed_name: string | null;
            /**
             * Provider
             * @description The vision provider that analysed it.
             */
            provider?: string | null;
            status: components["schemas"]["ImageStatus"];
            /** Thumbnail Url */
            thumbnail_url?: string | null;
            /**
             * Unsafe
             * @description Flagged by SafeSearch or NudeNet: no descriptive name.
             * @default false
             */
            unsafe: boolean;
            /** Width */
            width: number;
        };
        /**
         * ImageStatus
         * @enum {string}
         */
        ImageStatus: "PENDING" | "QUEUED" | "PROCESSING" | "NAMED" | "FAILED";
        /** InvitationAccept */
        InvitationAccept: {
            /** Token */
            token: string;
        };
        /** InvitationCreate */
        InvitationCreate: {
            /**
             * Email
             * Format: email
             */
            email: string;
            /** @default member */
            role?: components["schemas"]["OrganizationRole"];
        };
        /**
         * InvitationPublic
         * @description A pending invitation. The address itself is not stored (only its hash): `email_hint`
         *     is what is shown of it, taken when the invitation was made.
         */
        InvitationPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Email Hint */
            email_hint?: string | null;
            /** Expired */
            expired: boolean;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Invited By */
            invited_by: string | null;
            /**
             * Organization Id
             * Format: uuid
             */
            organization_id: string;
            role: components["schemas"]["OrganizationRole"];
        };
        /** KeywordSuggestionPublic */
        KeywordSuggestionPublic: {
            /** Keyword */
            keyword: string;
            /** Score */
            score: number;
            /**
             * Source
             * @enum {string}
             */
            source: "provider" | "analyses";
        };
        /** KeywordSuggestionRequest */
        KeywordSuggestionRequest: {
            /**
             * Audience
             * @description Who the pictures are for, e.g. 'young families in Lyon'.
             */
            audience?: string | null;
            /**
             * Keywords
             * @description Up to 20 keywords or phrases.
             */
            keywords?: string[];
            /**
             * Limit
             * @description How many suggestions to return, 1 to 50.
             * @default 15
             */
            limit?: number;
        };
        /** KeywordSuggestionResponse */
        KeywordSuggestionResponse: {
            /**
             * Cost Usd
             * @default 0
             */
            cost_usd: number;
            /**
             * Keywords
             * @description The keywords the suggestions relate to.
             */
            keywords?: string[];
            /**
             * Note
             * @description Why the provider was not asked, when it was not.
             */
            note?: string | null;
            /** Provider */
            provider?: string | null;
            /** Suggestions */
            suggestions: components["schemas"]["KeywordSuggestionPublic"][];
        };
        /** LoginRequest */
        LoginRequest: {
            /**
             * Email
             * Format: email
             */
            email: string;
            /** Password */
            password: string;
            /**
             * Use Cookie
             * @description Browsers: true sets an HttpOnly session cookie and returns a CSRF token instead of a bearer token.
             * @default false
             */
            use_cookie?: boolean;
        };
        /** MemberPublic */
        MemberPublic: {
            /** Display Name */
            display_name: string;
            /**
             * Email
             * @description Only for accounts that sign in with email; provider accounts keep none.
             */
            email: string | null;
            /**
             * Joined At
             * Format: date-time
             */
            joined_at: string;
            role: components["schemas"]["OrganizationRole"];
            /**
             * User Id
             * Format: uuid
             */
            user_id: string;
        };
        /** MemberUpdate */
        MemberUpdate: {
            role: components["schemas"]["OrganizationRole"];
        };
        /** OrganizationCreate */
        OrganizationCreate: {
            /** Name */
            name: string;
        };
        /** OrganizationPublic */
        OrganizationPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Id
             * Format: uuid
             */
            id: string;
            /** Name */
            name: string;
            /**
             * Personal
             * @description Everyone's own organization, made at sign-up; it goes with the account.
             */
            personal: boolean;
            /** @description Your role in it. */
            role: components["schemas"]["OrganizationRole"];
        };
        /**
         * OrganizationRole
         * @enum {string}
         */
        OrganizationRole: "owner" | "admin" | "member";
        /** OrganizationUpdate */
        OrganizationUpdate: {
            /** Name */
            name: string;
        };
        /** PasswordResetConfirm */
        PasswordResetConfirm: {
            /**
             * Password
             * @description At least 10 characters.
             */
            password: string;
            /** Token */
            token: string;
        };
        /** PasswordResetRequest */
        PasswordResetRequest: {
            /**
             * Email
             * Format: email
             */
            email: string;
        };
        /** PlanPublic */
        PlanPublic: {
            /**
             * Code
             * @description BASIC, PRO, MAX: what POST /billing/checkout takes.
             */
            code: string;
            /** Currency */
            currency: string;
            /** Monthly Images */
            monthly_images: number;
            /** Name */
            name: string;
            /**
             * Price Cents
             * @description Per month, in the currency's smallest unit.
             */
            price_cents: number;
            /**
             * Purchasable
             * @description A paid plan that Checkout can sell on this server.
             */
            purchasable: boolean;
        };
        /** PresignedUpload */
        PresignedUpload: {
            /** Code */
            code?: string | null;
            /** Detail */
            detail?: string | null;
            /** Expires In */
            expires_in?: number | null;
            /** Fields */
            fields?: {
                [key: string]: string;
            } | null;
            /** Filename */
            filename: string;
            /** Upload Id */
            upload_id?: string | null;
            /** Url */
            url?: string | null;
        };
        /** PresignRequest */
        PresignRequest: {
            /** Files */
            files: components["schemas"]["PresignRequestFile"][];
        };
        /** PresignRequestFile */
        PresignRequestFile: {
            /** Name */
            name: string;
            /** Size */
            size: number;
        };
        /** PresignResponse */
        PresignResponse: {
            /** Uploads */
            uploads: components["schemas"]["PresignedUpload"][];
        };
        /** SignupRequest */
        SignupRequest: {
            /**
             * Display Name
             * @default
             */
            display_name?: string;
            /**
             * Email
             * Format: email
             */
            email: string;
            /**
             * Password
             * @description At least 10 characters.
             */
            password: string;
            /**
             * Use Cookie
             * @description Browsers: true sets an HttpOnly session cookie and returns a CSRF token instead of a bearer token.
             * @default false
             */
            use_cookie?: boolean;
        };
        /** SwitchOrganization */
        SwitchOrganization: {
            /**
             * Organization Id
             * Format: uuid
             */
            organization_id: string;
            /**
             * Use Cookie
             * @description As at login: true sets the HttpOnly session cookie (and returns a CSRF token) instead of returning a bearer token.
             * @default false
             */
            use_cookie?: boolean;
        };
        /** TemplateField */
        TemplateField: {
            /** Description */
            description: string;
            /** Name */
            name: string;
        };
        /** TokenResponse */
        TokenResponse: {
            /** Access Token */
            access_token: string;
            /** Expires In */
            expires_in: number;
            /**
             * Organization Id
             * @description The organization this session works in.
             */
            organization_id?: string | null;
            /**
             * Token Type
             * @default bearer
             */
            token_type: string;
            user: components["schemas"]["UserPublic"];
        };
        /** UploadResults */
        UploadResults: {
            /** Accepted */
            accepted: number;
            /** Rejected */
            rejected: number;
            /** Results */
            results: components["schemas"]["FileResult"][];
        };
        /** UsagePublic */
        UsagePublic: {
            /** Limit */
            limit: number;
            /**
             * Period Start
             * Format: date
             * @description The first day (UTC) of the month being counted.
             */
            period_start: string;
            /** Remaining */
            remaining: number;
            /**
             * Resets On
             * Format: date
             * @description The first day of the next month: the count starts again at 00:00 UTC.
             */
            resets_on: string;
            /** Used */
            used: number;
        };
        /** UserPublic */
        UserPublic: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Display Name */
            display_name: string;
            /** Email */
            email: string | null;
            /** Email Verified At */
            email_verified_at?: string | null;
            /**
             * Id
             * Format: uuid
             */
            id: string;
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
        /** VerifyEmailRequest */
        VerifyEmailRequest: {
            /** Token */
            token: string;
        };
        /** WebhookAck */
        WebhookAck: {
            /**
             * Outcome
             * @description processed, duplicate, stale or ignored.
             */
            outcome: string;
            /**
             * Received
             * @default true
             */
            received: boolean;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    csrf_token_auth_csrf_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CsrfTokenResponse"];
                };
            };
        };
    };
    log_in_auth_login_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"] | components["schemas"]["CookieSessionResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    log_out_auth_logout_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    delete_account_auth_me_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AccountDeletion"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description You are the only owner of an organization that has other members. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    oidc_callback_auth_oidc_callback_get: {
        parameters: {
            query?: {
                code?: string | null;
                error?: string | null;
                state?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            307: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    oidc_login_auth_oidc_login_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            307: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    request_password_reset_auth_password_reset_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordResetRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    confirm_password_reset_auth_password_reset_confirm_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordResetConfirm"];
            };
        };
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    sign_up_auth_signup_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignupRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"] | components["schemas"]["CookieSessionResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    switch_organization_auth_switch_organization_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SwitchOrganization"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"] | components["schemas"]["CookieSessionResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    verify_email_auth_verify_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifyEmailRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    resend_verification_auth_verify_resend_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    list_batches_batches_get: {
        parameters: {
            query?: {
                page?: number;
                page_size?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchPage"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_batch_batches_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_batch_batches__batch_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_batch_batches__batch_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    update_batch_batches__batch_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    download_batches__batch_id__download_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DownloadLink"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_images_batches__batch_id__images_get: {
        parameters: {
            query?: {
                page?: number;
                page_size?: number;
                status?: components["schemas"]["ImageStatus"] | null;
            };
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImagePage"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    upload_images_batches__batch_id__images_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description How many files this drop has in all (this request and the ones after it): a drop that does not fit the plan's remaining images this month is refused at once with 402 quota_exceeded. */
                "X-Upload-Count"?: number | null;
            };
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadResults"];
                };
            };
            /** @description X-Upload-Count declares more files than the plan has left this month. */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every file was refused; each result says why. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    keyword_suggestions_batches__batch_id__keyword_suggestions_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeywordSuggestionRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeywordSuggestionResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    manifest_batches__batch_id__manifest_csv_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    start_batch_batches__batch_id__start_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    presign_uploads_batches__batch_id__uploads_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PresignRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresignResponse"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    complete_uploads_batches__batch_id__uploads_complete_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                batch_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CompleteRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadResults"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_billing_billing_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingPublic"];
                };
            };
        };
    };
    checkout_billing_checkout_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CheckoutRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingRedirect"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    portal_billing_portal_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BillingRedirect"];
                };
            };
        };
    };
    stripe_webhook_billing_webhook_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookAck"];
                };
            };
            /** @description Not signed by Stripe, or signed too long ago. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    liveness_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
        };
    };
    providers_health_providers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    readiness_health_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    get_image_images__image_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                image_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImagePublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    edit_image_images__image_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                image_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ImageEdit"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImagePublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    regenerate_images__image_id__regenerate_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                image_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImagePublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    accept_invitation_invitations_accept_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InvitationAccept"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    me_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserPublic"];
                };
            };
        };
    };
    batch_options_options_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchOptions"];
                };
            };
        };
    };
    list_organizations_organizations_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationPublic"][];
                };
            };
        };
    };
    create_organization_organizations_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrganizationCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    rename_organization_organizations__organization_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrganizationUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_api_keys_organizations__organization_id__api_keys_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyPublic"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    create_api_key_organizations__organization_id__api_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApiKeyCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyCreated"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    revoke_api_key_organizations__organization_id__api_keys__key_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: string;
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_invitations_organizations__organization_id__invitations_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationPublic"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    invite_organizations__organization_id__invitations_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InvitationCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    revoke_invitation_organizations__organization_id__invitations__invitation_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                invitation_id: string;
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_members_organizations__organization_id__members_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemberPublic"][];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    remove_member_organizations__organization_id__members__user_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    change_member_role_organizations__organization_id__members__user_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                organization_id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemberUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemberPublic"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    current_organization_organizations_current_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrganizationPublic"];
                };
            };
        };
    };
}
