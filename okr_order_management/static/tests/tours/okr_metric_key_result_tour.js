/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A salesperson measures their objective with a key result computed from the
 * Revenue metric, refreshes it, sees its value and history, and opens the
 * orders behind the value.
 */
registry.category("web_tour.tours").add("okr_metric_key_result_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="okr_order_management.okr_menu_root"]',
            run: "click",
        },
        {
            content: "Objectives without a department wait in the folded column",
            trigger: ".o_kanban_group.o_column_folded:contains(None)",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Grow my order revenue)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_view_key_results]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Revenue from my orders this cycle",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=source] select",
            run: 'select "metric"',
        },
        {
            trigger: ".o_form_view .o_field_widget[name=metric_id] input",
            run: "edit Revenue",
        },
        {
            trigger: ".o_field_widget[name=metric_id] .o-autocomplete--dropdown-item a:contains(Revenue)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=window] select",
            run: 'select "cycle"',
        },
        {
            content: "Only the orders the user sold: demo orders stay out",
            trigger: ".o_form_view .o_field_widget[name=salesperson_id] input",
            run: "edit Mei Lin",
        },
        {
            trigger: ".o_field_widget[name=salesperson_id] .o-autocomplete--dropdown-item a:contains(Mei Lin)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=target_value] input",
            run: "edit 1000",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name=action_refresh]",
            run: "click",
        },
        {
            content: "360 + 75: the untaxed amounts of the two confirmed orders",
            trigger: ".o_form_view .o_field_widget[name=current_value]:contains(435.00)",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link[name=history]",
            run: "click",
        },
        {
            content: "The refresh's automatic check-in is the first point of the history",
            trigger: ".o_form_view .o_field_widget[name=history] canvas",
        },
        {
            trigger: ".o_form_view .o-form-buttonbox button[name=action_view_records]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Customer Alpha)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Customer Beta)",
        },
        {
            content: "Only those two: not the quotation, not another salesperson's order",
            trigger: ".o_list_view .o_list_table:not(:has(.o_data_row:eq(2)))",
        },
        {
            trigger: ".o_list_view .o_list_footer:contains(435.00)",
        },
    ],
});
