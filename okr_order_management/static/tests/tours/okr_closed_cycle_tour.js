/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * An OKR user opens their objective of a closed cycle: nothing to edit, no
 * key result to add, no check-in to make, until an OKR manager reopens it.
 */
registry.category("web_tour.tours").add("okr_closed_cycle_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name].o_readonly_modifier:contains(Closed quarter objective)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=parent_id].o_readonly_modifier",
        },
        {
            content: "Its key result is listed, with no line to add nor check-in button",
            trigger: ".o_field_widget[name=key_result_ids] .o_data_row:contains(Closed quarter key result)",
        },
        {
            trigger: ".o_field_widget[name=key_result_ids]:not(:has(.o_field_x2many_list_row_add)):not(:has(button[name=action_checkin]))",
        },
        {
            content: "Open its key result",
            trigger: ".o_form_view button[name=action_view_key_results]",
            run: "click",
        },
        {
            content: "The key results' list (not the objective's lines, still shown a moment)",
            trigger: ".o_list_view .o_data_row:has(td.o_data_cell[name=objective_id]) td.o_data_cell[name=name]:contains(Closed quarter key result)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=current_value].o_readonly_modifier",
        },
        {
            content: "No check-in in a closed cycle",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_checkin]))",
        },
    ],
});
