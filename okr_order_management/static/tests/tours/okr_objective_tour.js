/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * An OKR user sets an objective with a key result, checks in on it, and
 * sees the objective's progress follow on the kanban.
 */
registry.category("web_tour.tours").add("okr_objective_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="okr_order_management.okr_menu_root"]',
            run: "click",
        },
        {
            trigger: ".o_kanban_view",
        },
        {
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Cut order confirmation time",
        },
        {
            trigger: ".o_field_widget[name=key_result_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=key_result_ids] .o_selected_row .o_field_widget[name=name] input",
            run: "edit Order confirmation time from 48 h to 12 h",
        },
        {
            trigger: ".o_field_widget[name=key_result_ids] .o_selected_row .o_field_widget[name=start_value] input",
            run: "edit 48",
        },
        {
            trigger: ".o_field_widget[name=key_result_ids] .o_selected_row .o_field_widget[name=target_value] input",
            run: "edit 12",
        },
        {
            trigger: ".o_field_widget[name=key_result_ids] .o_selected_row .o_field_widget[name=current_value] input",
            run: "edit 48",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Check in on the new key result from the objective",
            trigger: ".o_field_widget[name=key_result_ids] .o_data_row button[name=action_checkin]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=value] input",
            run: "edit 30",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Automatic assignment is live",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "30 h is half way from 48 h to 12 h",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=progress]:contains(50)",
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Objectives without a department wait in the folded column",
            trigger: ".o_kanban_group.o_column_folded:contains(None)",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Cut order confirmation time) .o_field_widget[name=progress]:contains(50)",
        },
    ],
});
