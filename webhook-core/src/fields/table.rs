//! Which of our types is the value of which field: the table behind the
//! compile-time field check and `meta-webhooks explain --typed`.

use serde_json::value::RawValue;

use crate::field_check::typed_values;

use super::{
    ad_account, application, catalog, certificate_transparency, instagram, messaging, page,
    permissions, threads, user, whatsapp,
};

typed_values! {
    application::PluginComment => [(application, plugin_comment), (application, plugin_comment_reply)],
    application::AdAccount => [(application, ad_account)],
    application::AdsRulesEngine => [(application, ads_rules_engine)],
    application::AsyncRequest => [(application, async_requests)],
    application::GroupInstall => [(application, group_install)],
    ad_account::AdObjectWithIssues => [(ad_account, with_issues_ad_objects)],
    ad_account::AdRecommendation => [(ad_account, ad_recommendations)],
    ad_account::CreativeFatigue => [(ad_account, creative_fatigue)],
    ad_account::ProductSetIssue => [(ad_account, product_set_issue)],
    ad_account::AdsAsyncCreationRequest => [(ad_account, ads_async_creation_request)],
    application::DevAlert => [(application, dev_alerts)],
    application::InAppPurchase => [(application, in_app_purchase)],
    application::ResellerOnboardingRequest => [(application, oe_reseller_onboarding_request_created)],
    application::BusinessIntegration => [
        (application, business_integration_install), (application, business_integration_uninstall),
        (application, business_integration_update),
    ],
    catalog::ItemsBatch => [(catalog, items_batch)],
    catalog::ProductFeed => [(catalog, product_feed)],
    ad_account::AdObjectInProcess => [(ad_account, in_process_ad_objects)],
    certificate_transparency::Phishing => [(certificate_transparency, phishing)],
    instagram::Comment => [(instagram, comments), (instagram, live_comments)],
    instagram::Mention => [(instagram, mentions)],
    instagram::StoryInsights => [(instagram, story_insights)],
    messaging::MessageEvent => [(page, messages), (page, message_echoes), (instagram, messages)],
    messaging::PostbackEvent => [(page, messaging_postbacks), (instagram, messaging_postbacks)],
    messaging::DeliveryEvent => [(page, message_deliveries)],
    messaging::ReadEvent => [(page, message_reads), (instagram, messaging_seen)],
    messaging::OptinEvent => [(page, messaging_optins), (instagram, messaging_optins)],
    messaging::ReferralEvent => [(page, messaging_referrals), (instagram, messaging_referral)],
    messaging::ReactionEvent => [(page, message_reactions), (instagram, message_reactions)],
    messaging::AccountLinkingEvent => [(page, messaging_account_linking)],
    messaging::HandoverEvent => [(page, messaging_handovers), (instagram, messaging_handover)],
    messaging::PolicyEnforcementEvent => [(page, messaging_policy_enforcement), (instagram, messaging_policy_enforcement)],
    messaging::MessageEditEvent => [(page, message_edits), (instagram, message_edit)],
    messaging::GamePlayEvent => [(page, messaging_game_plays)],
    messaging::ResponseFeedbackEvent => [(page, response_feedback)],
    messaging::SendCartEvent => [(page, send_cart)],
    messaging::MessagingFeedbackEvent => [(page, messaging_feedback)],
    messaging::CheckoutUpdateEvent => [(page, messaging_checkout_updates)],
    messaging::PaymentEvent => [(page, messaging_payments)],
    messaging::PreCheckoutEvent => [(page, messaging_pre_checkouts)],
    messaging::CustomerInformationEvent => [(page, messaging_customer_information)],
    messaging::GroupFeedEvent => [(page, group_feed)],
    messaging::CallPermissionReplyEvent => [(page, call_permission_reply)],
    messaging::AnyEvent => [
        (page, messages), (page, message_echoes), (page, message_deliveries), (page, message_reads),
        (page, messaging_postbacks), (page, messaging_optins), (page, messaging_referrals),
        (page, message_reactions), (page, messaging_account_linking), (page, messaging_handovers),
        (page, messaging_policy_enforcement), (page, message_edits), (page, messaging_game_plays),
        (page, response_feedback), (page, messaging_feedback), (page, messaging_checkout_updates),
        (page, messaging_payments), (page, messaging_pre_checkouts), (page, send_cart), (page, standby),
        (instagram, messages), (instagram, messaging_seen), (instagram, messaging_postbacks),
        (instagram, messaging_optins), (instagram, messaging_referral), (instagram, message_reactions),
        (instagram, messaging_handover), (instagram, message_edit), (instagram, messaging_policy_enforcement),
        (instagram, standby),
        // Events with Messenger's keys, which Meta documents for Pages only.
        (instagram, message_deliveries), (instagram, messaging_account_linking),
        (instagram, messaging_game_plays), (instagram, response_feedback), (instagram, messaging_feedback),
        (instagram, messaging_checkout_updates), (instagram, messaging_payments),
        (instagram, messaging_pre_checkouts), (instagram, send_cart),
    ],
    page::Feed => [(page, feed)],
    page::Mention => [(page, mention)],
    page::Rating => [(page, ratings)],
    page::Leadgen => [(page, leadgen)],
    page::Video => [(page, videos)],
    page::LiveVideo => [(page, live_videos)],
    page::ChangeProposal => [(page, page_change_proposal)],
    page::UpcomingChange => [(page, page_upcoming_change)],
    page::Conversation => [(page, conversations)],
    page::InboxLabel => [(page, inbox_labels)],
    page::BusinessIntegrity => [(page, business_integrity)],
    page::Call => [(page, calls)],
    page::CallSettings => [(page, call_settings_update)],
    // One field per permission name, so any field of `permissions`.
    permissions::Permission => [(permissions, __any)],
    threads::Media => [(moderate, replies), (interaction, mentions), (interaction, publish)],
    threads::Deleted => [(moderate, delete)],
    user::UserChange => [
        (user, books), (user, friends), (user, hometown), (user, likes), (user, location),
        (user, movies), (user, music), (user, photos), (user, television),
    ],
    user::FbeInstall => [(user, fbe_install)],
    whatsapp::Change => [(whatsapp_business_account, messages)],
    whatsapp::Contact => [
        (whatsapp_business_account, messages, contacts),
        (whatsapp_business_account, user_preferences, contacts),
    ],
    whatsapp::Message => [
        (whatsapp_business_account, messages, messages),
        (whatsapp_business_account, smb_message_echoes, message_echoes),
    ],
    whatsapp::Status => [(whatsapp_business_account, messages, statuses)],
    whatsapp::Error => [(whatsapp_business_account, messages, errors)],
    whatsapp::MessageTemplateStatusUpdate => [(whatsapp_business_account, message_template_status_update)],
    whatsapp::MessageTemplateQualityUpdate => [(whatsapp_business_account, message_template_quality_update)],
    whatsapp::TemplateCategoryUpdate => [(whatsapp_business_account, template_category_update)],
    whatsapp::MessageTemplateComponentsUpdate => [(whatsapp_business_account, message_template_components_update)],
    whatsapp::TemplateButton => [(whatsapp_business_account, message_template_components_update, message_template_buttons)],
    whatsapp::AccountUpdate => [(whatsapp_business_account, account_update)],
    whatsapp::Restriction => [(whatsapp_business_account, account_update, restriction_info)],
    whatsapp::AccountAlerts => [(whatsapp_business_account, account_alerts)],
    whatsapp::AccountReviewUpdate => [(whatsapp_business_account, account_review_update)],
    whatsapp::BusinessCapabilityUpdate => [(whatsapp_business_account, business_capability_update)],
    whatsapp::PhoneNumberQualityUpdate => [(whatsapp_business_account, phone_number_quality_update)],
    whatsapp::PhoneNumberNameUpdate => [(whatsapp_business_account, phone_number_name_update)],
    whatsapp::Security => [(whatsapp_business_account, security)],
    whatsapp::UserPreferences => [(whatsapp_business_account, user_preferences)],
    whatsapp::UserPreference => [(whatsapp_business_account, user_preferences, user_preferences)],
    whatsapp::Calls => [(whatsapp_business_account, calls)],
    whatsapp::CallStatus => [(whatsapp_business_account, calls, statuses)],
    whatsapp::PaymentConfigurationUpdate => [(whatsapp_business_account, payment_configuration_update)],
    whatsapp::AutomaticEvents => [(whatsapp_business_account, automatic_events)],
    whatsapp::SmbAppStateSync => [(whatsapp_business_account, smb_app_state_sync)],
    whatsapp::Flows => [(whatsapp_business_account, flows)],
    whatsapp::History => [(whatsapp_business_account, history)],
    whatsapp::SmbMessageEchoes => [(whatsapp_business_account, smb_message_echoes)],
    whatsapp::Groups => [
        (whatsapp_business_account, group_lifecycle_update), (whatsapp_business_account, group_participants_update),
        (whatsapp_business_account, group_settings_update), (whatsapp_business_account, group_status_update),
    ],
    whatsapp::BusinessUsernameUpdate => [
        (whatsapp_business_account, business_username_update), (whatsapp_business_account, business_username_updates),
    ],
    whatsapp::UserIdUpdates => [(whatsapp_business_account, user_id_update)],
    whatsapp::AccountSettingsUpdate => [(whatsapp_business_account, account_settings_update)],
    whatsapp::FlowError => [(whatsapp_business_account, flows, errors)],
    whatsapp::PartnerSolutions => [(whatsapp_business_account, partner_solutions)],
}

/// A field's value read through this crate's type for that field.
#[derive(Debug)]
pub struct TypedJson {
    /// The type, such as `page::Feed`.
    pub type_name: &'static str,
    /// The value as the type reads it, serialised back to JSON, or why it did not
    /// read.
    pub value: Result<serde_json::Value, serde_json::Error>,
}

/// Every field one of our types is the value of: `(object, field, type)`, where
/// `field` is `*` for any field of the object (permissions). Elements of arrays
/// (`each`) are not listed; their field's whole value is.
pub fn typed_fields() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    TABLE
        .iter()
        .filter(|e| e.each.is_empty())
        .map(|e| (e.object, e.field, e.type_name))
}

/// Every array element one of our types reads for an `each` route: `(object,
/// field, array, type)`, such as `(whatsapp_business_account, messages, statuses,
/// whatsapp::Status)`.
pub fn typed_elements()
-> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    TABLE
        .iter()
        .filter(|e| !e.each.is_empty())
        .map(|e| (e.object, e.field, e.each, e.type_name))
}

/// The value of `(object, field)` as this crate's type for that field reads it;
/// `None` when no type of ours is the value of that field, or when the value is
/// `null` (a `changed_fields` name). Used by `meta-webhooks explain --typed`.
#[must_use]
pub fn typed_json(object: &str, field: &str, value: &RawValue) -> Option<TypedJson> {
    if value.get() == "null" {
        return None;
    }
    let entry = TABLE.iter().find(|e| {
        e.object == object && (e.field == field || e.field == "*") && e.each.is_empty()
    })?;
    Some(TypedJson {
        type_name: entry.type_name,
        value: (entry.parse)(value),
    })
}

/// One row of [`TABLE`].
pub(crate) struct TypedEntry {
    pub(crate) object: &'static str,
    pub(crate) field: &'static str,
    pub(crate) each: &'static str,
    pub(crate) type_name: &'static str,
    pub(crate) parse: fn(&RawValue) -> Result<serde_json::Value, serde_json::Error>,
}

pub(crate) fn parse_as<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: &RawValue,
) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(serde_json::from_str::<T>(value.get())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_value_comes_from_a_known_field_and_array() {
        let mut checked = 0;
        for entry in TABLE {
            if entry.field != "*" {
                assert!(
                    crate::names::is_known(entry.object, Some(entry.field)),
                    "({}, {}) is catalogued for `{}`, but `#[on]` does not know it",
                    entry.object,
                    entry.field,
                    entry.type_name
                );
            }
            assert!(
                entry.each.is_empty() || crate::names::EACH.contains(&entry.each),
                "`each = {:?}` is catalogued for `{}`, but `#[on]` does not know it",
                entry.each,
                entry.type_name
            );
            checked += 1;
        }
        assert!(checked > 60, "{checked}");
    }
}
