/** @odoo-module */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A plain OKR user opens Task Throughput from the Reporting menu: the bars of
 * the current cycle, then departments × weeks in the pivot, then the list of
 * what was done.
 */
registry.category("web_tour.tours").add("okr_task_throughput_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="okr_order_management.okr_menu_root"]',
            run: "click",
        },
        {
            trigger: '[data-menu-xmlid="okr_order_management.okr_report_menu"]',
            run: "click",
        },
        {
            trigger: '[data-menu-xmlid="okr_order_management.project_task_okr_throughput_menu"]',
            run: "click",
        },
        {
            content: "Bars of the current cycle",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            trigger: ".o_searchview_facet:contains(Current Cycle)",
        },
        {
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Departments × weeks: two tasks done by the IT desk this week",
            trigger: ".o_pivot tr:has(th:contains(Throughput IT)) td:contains(2)",
        },
        {
            trigger: ".o_pivot tr:has(th:contains(Throughput HR)) td:contains(1)",
        },
        {
            trigger: ".o_pivot thead th:contains(W)",
        },
        {
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "What was done, and when",
            trigger: ".o_list_view .o_data_row:contains(Train the order desk) .o_data_cell[name=okr_done_at]:not(:empty)",
        },
    ],
});
