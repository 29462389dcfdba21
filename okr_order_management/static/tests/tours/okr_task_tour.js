/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * From a key result, a Project user opens its tasks on the department
 * kanban, adds one in the IT column, marks it done, and sees the key
 * result's task counter follow.
 */
registry.category("web_tour.tours").add("okr_task_tour", {
    steps: () => [
        {
            content: "The key result has no task yet",
            trigger: ".o_form_view button[name=action_view_tasks]:contains(0 / 0)",
            run: "click",
        },
        {
            content: "Its tasks: its objective's and its own department, empty",
            trigger: ".o_kanban_view:has(.o_column_title:contains(Desk Ops)) .o_kanban_group:has(.o_column_title:contains(Desk IT)) .o_kanban_quick_add",
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit Train the order desk",
        },
        {
            content: "The key result comes from the one we came from",
            trigger: ".o_kanban_quick_create .o_field_widget[name=okr_key_result_id] input:value(Tour key result)",
        },
        {
            trigger: ".o_kanban_quick_create .o_kanban_add",
            run: "click",
        },
        {
            trigger: ".o_kanban_group:has(.o_column_title:contains(Desk IT)) .o_kanban_record:contains(Train the order desk) .o_field_project_task_state_selection button",
            run: "click",
        },
        {
            trigger: ".dropdown-menu .dropdown-item:contains(Done)",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Train the order desk) .o_field_project_task_state_selection .fa-check-circle",
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "One task of one is done",
            trigger: ".o_form_view button[name=action_view_tasks]:contains(1 / 1)",
        },
    ],
});
