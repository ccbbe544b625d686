//! Meta's webhook objects and each object's documented subscription fields: the one
//! table of names (handed to `webhook_core::names` by `__meta_names!`), so that
//! a typo is a compile error. `#[on(.., unchecked)]` reaches names added later.

/// `(object, fields)`; an empty field list means any field (the object's fields are
/// open-ended, like `permissions`, which has one field per permission).
pub(crate) const OBJECTS: &[(&str, &[&str])] = &[
    ("page", PAGE),
    ("instagram", INSTAGRAM),
    ("whatsapp_business_account", WHATSAPP),
    ("user", USER),
    ("permissions", &[]),
    ("application", APPLICATION),
    ("payments", &["actions", "disputes"]),
    ("certificate_transparency", &["certificate", "phishing"]),
    ("ad_account", AD_ACCOUNT),
    ("catalog", &[]),
    ("group", &[]),
    // Threads topics.
    ("moderate", &["replies", "delete"]),
    ("interaction", &["mentions", "publish"]),
];

const PAGE: &[&str] = &[
    "affiliation",
    "attire",
    "awards",
    "bio",
    "birthday",
    "business_integrity",
    "call_permission_reply",
    "calls",
    "category",
    "checkins",
    "company_overview",
    "conversations",
    "culinary_team",
    "current_location",
    "description",
    "email",
    "feed",
    "founded",
    "general_info",
    "general_manager",
    "group_feed",
    "hometown",
    "hours",
    "impressum",
    "inbox_labels",
    "influences",
    "leadgen",
    "leadgen_fat",
    "live_videos",
    "location",
    "mcom_invoice_change",
    "members",
    "mention",
    "merchant_review",
    "message_context",
    "message_deliveries",
    "message_echoes",
    "message_edits",
    "message_mention",
    "message_reactions",
    "message_reads",
    "messages",
    "messaging_account_linking",
    "messaging_appointments",
    "messaging_checkout_updates",
    "messaging_customer_information",
    "messaging_direct_sends",
    "messaging_feedback",
    "messaging_fblogin_account_linking",
    "messaging_game_plays",
    "messaging_handovers",
    "messaging_in_thread_lead_form_submit",
    "messaging_optins",
    "messaging_optouts",
    "messaging_payments",
    "messaging_policy_enforcement",
    "messaging_postbacks",
    "messaging_pre_checkouts",
    "messaging_referrals",
    "messenger_template_status_update",
    "mission",
    "name",
    "page_about_story",
    "page_change_proposal",
    "page_upcoming_change",
    "parking",
    "payment_options",
    "personal_info",
    "personal_interests",
    "phone",
    "photos",
    "picture",
    "price_range",
    "product_review",
    "products",
    "public_transit",
    "ratings",
    "response_feedback",
    "send_cart",
    "standby",
    "user_action",
    "videos",
    "website",
];

const INSTAGRAM: &[&str] = &[
    "comments",
    "live_comments",
    "mentions",
    "story_insights",
    "messages",
    "message_reactions",
    "messaging_postbacks",
    "messaging_seen",
    "messaging_referral",
    "messaging_handover",
    "messaging_optins",
    "messaging_policy_enforcement",
    "message_edit",
    "standby",
    // Fields the router can produce for Instagram events sharing Messenger's keys.
    "message_deliveries",
    "messaging_account_linking",
    "messaging_game_plays",
    "response_feedback",
    "messaging_feedback",
    "messaging_checkout_updates",
    "messaging_payments",
    "messaging_pre_checkouts",
    "send_cart",
];

const WHATSAPP: &[&str] = &[
    "messages",
    "message_echoes",
    "message_template_status_update",
    "message_template_quality_update",
    "message_template_components_update",
    "template_category_update",
    "account_update",
    "account_alerts",
    "account_review_update",
    "account_settings_update",
    "business_capability_update",
    "business_status_update",
    "phone_number_quality_update",
    "phone_number_name_update",
    "security",
    "history",
    "smb_app_state_sync",
    "smb_message_echoes",
    "partner_solutions",
    "payment_configuration_update",
    "automatic_events",
    "user_preferences",
    "flows",
    "calls",
    "tracking_events",
    "group_lifecycle_update",
    "group_participants_update",
    "group_settings_update",
    "group_status_update",
];

const USER: &[&str] = &[
    "about",
    "birthday",
    "books",
    "education",
    "email",
    "events",
    "family",
    "feed",
    "first_name",
    "friends",
    "fbe_install",
    "gender",
    "groups",
    "hometown",
    "interests",
    "last_name",
    "likes",
    "link",
    "live_videos",
    "locale",
    "location",
    "movies",
    "music",
    "name",
    "photos",
    "picture",
    "political",
    "quotes",
    "relationship_status",
    "religion",
    "significant_other",
    "sports",
    "status",
    "television",
    "timezone",
    "verified",
    "videos",
    "website",
    "work",
];

const APPLICATION: &[&str] = &[
    "ad_account",
    "ads_rules_engine",
    "async_requests",
    "async_sessions",
    "group_install",
    "oe_reseller_onboarding_request_created",
    "plugin_comment",
    "plugin_comment_reply",
];

const AD_ACCOUNT: &[&str] = &[
    "ad_recommendations",
    "creative_fatigue",
    "in_process_ad_objects",
    "product_set_issue",
    "with_issues_ad_objects",
];

/// Why a name is not in the table, with the closest known names.
pub(crate) enum Unknown {
    Object(Option<&'static str>),
    Field(Option<&'static str>),
}

/// Checks `object` (and `field` when given) against the table.
pub(crate) fn check(object: &str, field: Option<&str>) -> Result<(), Unknown> {
    let Some((_, fields)) = OBJECTS.iter().find(|(o, _)| *o == object) else {
        return Err(Unknown::Object(closest(
            object,
            OBJECTS.iter().map(|(o, _)| *o),
        )));
    };
    match field {
        Some(field) if !fields.is_empty() && !fields.contains(&field) => {
            Err(Unknown::Field(closest(field, fields.iter().copied())))
        }
        _ => Ok(()),
    }
}

/// The known name nearest to `name`, if it is near enough to be a typo.
pub(crate) fn closest(
    name: &str,
    known: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    known
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Arrays that `each` iterates in Meta's documented values.
pub(crate) const EACH: &[&str] = &[
    "messages",
    "statuses",
    "errors",
    "contacts",
    "message_echoes",
    "user_preferences",
    "restriction_info",
    "message_template_buttons",
    "changes",
    "photos",
    "values",
    "entries",
];

/// `name` as an identifier (raw when it is a keyword).
pub(crate) fn ident(name: &str) -> proc_macro2::Ident {
    // Parsing as an identifier refuses keywords.
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
    } else {
        proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site())
    }
}

/// The type the typed-value check names for a route: its field in
/// `webhook_core::names::fields` (wrapped in `Each` with the array for `each`
/// routes), or `Unchecked` for a name outside the table.
pub(crate) fn field_type(
    private: &proc_macro2::TokenStream,
    object: &str,
    field: &str,
    each: Option<&str>,
    unchecked: bool,
) -> proc_macro2::TokenStream {
    use quote::quote;
    let known = OBJECTS.iter().find(|(o, _)| *o == object);
    let field_ty = match known {
        Some((_, fields)) if !unchecked && fields.is_empty() => {
            let module = ident(object);
            quote!(#private::names::fields::#module::__any)
        }
        Some((_, fields)) if !unchecked && fields.contains(&field) => {
            let (module, ty) = (ident(object), ident(field));
            quote!(#private::names::fields::#module::#ty)
        }
        _ => return quote!(#private::field_check::Unchecked),
    };
    match each {
        None => field_ty,
        Some(array) if EACH.contains(&array) && !unchecked => {
            let array = ident(array);
            quote!(#private::field_check::Each<#field_ty, #private::names::arrays::#array>)
        }
        Some(_) => quote!(#private::field_check::Unchecked),
    }
}
