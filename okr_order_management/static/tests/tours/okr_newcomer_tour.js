/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * What a new OKR manager meets first: the year of Generate Quarters reads
 * 2026, not 2,026; the quarters are created around the existing ones, and
 * the notification says so. Then an objective's key-result line opens the
 * full key-result form, whose extra filter shows no record count, and whose
 * Refresh says what it did.
 */
registry.category("web_tour.tours").add("okr_newcomer_tour", {
    url: "/odoo/action-okr_order_management.okr_cycle_action",
    steps: () => [
        {
            trigger: ".o_list_view .o_data_row:contains(Newcomer 2033 Q2)",
        },
        {
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_cp_action_menus .dropdown-toggle:has(.fa-cog)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Generate Quarters)",
            run: "click",
        },
        {
            content: "The year has no thousands separator",
            trigger: ".modal .o_field_widget[name=year] input",
            run({ anchor }) {
                if (!/^\d{4}$/.test(anchor.value)) {
                    throw new Error(`The year reads "${anchor.value}"`);
                }
            },
        },
        {
            trigger: ".modal .o_field_widget[name=year] input",
            run: "edit 2033",
        },
        {
            trigger: ".modal footer button[name=action_generate]",
            run: "click",
        },
        {
            content: "It says what it created and what it skipped",
            trigger: ".o_notification:contains(Skipped 2033 Q2)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(2033 Q4)",
        },
    ],
});

registry.category("web_tour.tours").add("okr_newcomer_key_result_tour", {
    steps: () => [
        {
            content: "The key-result line of the objective opens its full form",
            trigger:
                ".o_field_widget[name=key_result_ids] .o_data_row:contains(Newcomer revenue) .o_list_record_open_form_view button",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Newcomer revenue)",
        },
        {
            content: "The extra filter shows no record count the metric does not count",
            trigger:
                ".o_field_widget[name=scope_domain] .o_field_domain_panel:not(:has(.fa-spin)):not(:has(.o_domain_show_selection_button))",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name=action_refresh]",
            run: "click",
        },
        {
            content: "Refresh says what it did",
            trigger: ".o_notification:contains(1 key result(s) recomputed.)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=last_computed_at]:not(:empty)",
        },
    ],
});
