/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * An OKR user opens the alignment tree, aligns a new objective under a
 * colleague's company objective from its card, and finds it under that card.
 */
registry.category("web_tour.tours").add("okr_alignment_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="okr_order_management.okr_menu_root"]',
            run: "click",
        },
        {
            trigger: '[data-menu-xmlid="okr_order_management.okr_objective_alignment_menu"]',
            run: "click",
        },
        {
            content: "The tree opens on the current cycle's company objectives",
            trigger: ".o_hierarchy_view .o_hierarchy_node:contains(Customers wait less) .o_field_widget[name=progress]:contains(40)",
        },
        {
            trigger: ".o_hierarchy_node:contains(Customers wait less) button[name=action_align_objective]",
            run: "click",
        },
        {
            content: "The new objective is prefilled with the card's cycle and department",
            trigger: ".o_form_view .o_field_widget[name=parent_id] input:value(Customers wait less)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=department_id] input:value(Order Desk)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Automate order assignment",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            trigger: ".o_hierarchy_node:contains(Customers wait less) button[name=hierarchy_search_subsidiaries]",
            run: "click",
        },
        {
            content: "The new objective sits under the card it was aligned from",
            trigger: ".o_hierarchy_node_unfolded:contains(Customers wait less)",
        },
        {
            trigger: ".o_hierarchy_row .o_hierarchy_node:contains(Automate order assignment)",
        },
    ],
});
