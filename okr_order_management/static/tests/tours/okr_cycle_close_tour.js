/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * An OKR manager closes an ended cycle from its form: the wizard lists each
 * key result with the score it is frozen at, asks why the one that missed
 * did, carries its unfinished objective into the next cycle and closes it.
 */
registry.category("web_tour.tours").add("okr_cycle_close_tour", {
    steps: () => [
        {
            trigger: ".o_breadcrumb:contains(Tour close quarter)",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name=action_close]",
            run: "click",
        },
        {
            content: "The achieved key result is listed, scored 1.00",
            trigger: ".modal .o_data_row:not(.text-danger):contains(Tour assignment automated) td[name=final_score]:contains(1.00)",
        },
        {
            content: "The one that missed is red, scored 0.40",
            trigger: ".modal .o_data_row.text-danger:contains(Tour desk trained) td[name=final_score]:contains(0.40)",
        },
        {
            trigger: ".modal .o_data_row:contains(Tour desk trained) td[name=miss_reason]",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains(Tour desk trained) td[name=miss_reason] select",
            run: 'select "insufficient_resources"',
        },
        {
            trigger: ".modal .o_data_row:contains(Tour desk trained) td[name=miss_note]",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains(Tour desk trained) td[name=miss_note] textarea",
            run: "edit Two trainers left in November",
        },
        {
            content: "Carry the unfinished objective over",
            trigger: ".modal .o_field_widget[name=carry_objective_ids] input",
            run: "edit Tour: orders",
        },
        {
            trigger: ".modal .o_field_widget[name=carry_objective_ids] .o-autocomplete--dropdown-item a:contains(Tour: orders confirmed faster)",
            run: "click",
        },
        {
            content: "Into the next quarter, proposed",
            trigger: ".modal .o_field_widget[name=next_cycle_id] input:value(Tour next quarter)",
        },
        {
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "It says what it froze",
            trigger: ".o_notification:contains(2 key results frozen, 1 missed)",
        },
        {
            content: "Closed: only reopening is left",
            trigger: ".o_form_view .o_form_statusbar button[name=action_reopen]",
        },
    ],
});
