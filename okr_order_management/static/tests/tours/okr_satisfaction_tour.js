/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * A customer has just rated their delivery through the link of the request
 * email: the salesperson refreshes their satisfaction key result, sees it
 * move, and opens the ratings behind it.
 */
registry.category("web_tour.tours").add("okr_satisfaction_tour", {
    steps: () => [
        {
            content: "Before the refresh: the earlier Dissatisfied rating only",
            trigger: ".o_form_view .o_field_widget[name=current_value]:contains(0.00)",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name=action_refresh]",
            run: "click",
        },
        {
            content: "One Satisfied rating of two",
            trigger: ".o_form_view .o_field_widget[name=current_value]:contains(50.00)",
        },
        {
            trigger: ".o_form_view .o-form-buttonbox button[name=action_view_records]",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row td[name=rating_text]:contains(Satisfied):not(:contains(Dissatisfied))",
        },
        {
            trigger: ".o_list_view .o_data_row td[name=rating_text]:contains(Dissatisfied)",
        },
        {
            content: "Only those two: not the demo customers' ratings",
            trigger: ".o_list_view .o_list_table:not(:has(.o_data_row:eq(2)))",
        },
    ],
});
