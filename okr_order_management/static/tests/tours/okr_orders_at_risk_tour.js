/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A salesperson opens Orders at Risk, sees their most urgent order first and
 * schedules an activity on it in one click.
 */
registry.category("web_tour.tours").add("okr_orders_at_risk_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="okr_order_management.okr_menu_root"]',
            run: "click",
        },
        {
            trigger:
                '.o_main_navbar a[data-menu-xmlid="okr_order_management.okr_sale_order_risk_menu"]',
            run: "click",
        },
        {
            content: "The most urgent order first: 30 hours late",
            trigger:
                ".o_list_view .o_data_row:nth-child(1) .o_data_cell[name=partner_id]:contains(Risk Customer Late)",
        },
        {
            trigger:
                ".o_list_view .o_data_row:nth-child(1) .o_data_cell[name=okr_delay_hours]:contains(30.0)",
        },
        {
            content: "Then the one due in 20 hours; the one due in 5 days is not listed",
            trigger:
                ".o_list_view .o_data_row:nth-child(2) .o_data_cell[name=partner_id]:contains(Risk Customer Soon)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(3)))",
        },
        {
            trigger:
                ".o_list_view .o_data_row:nth-child(1) button[name=action_okr_schedule_risk_activity]",
            run: "click",
        },
        {
            content: "The activity shows on the order's line",
            trigger:
                ".o_list_view .o_data_row:nth-child(1) .o-mail-ListActivity-summary:contains(Order at risk)",
        },
    ],
});
