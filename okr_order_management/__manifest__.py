{
    "name": "OKR for Order Management",
    "summary": "Objectives and key results for order management: cycles, "
    "aligned objectives, key results and check-ins",
    "version": "18.0.1.2.0",
    "category": "Productivity/OKR",
    "author": "okr_order_management contributors",
    "maintainers": ["okr-order-management"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "depends": ["sale_stock", "stock_account", "hr", "mail"],
    "data": [
        "security/okr_security.xml",
        "security/ir.model.access.csv",
        "views/okr_cycle_views.xml",
        "views/okr_tag_views.xml",
        "views/okr_metric_views.xml",
        "views/okr_checkin_views.xml",
        "views/okr_key_result_views.xml",
        "views/okr_objective_views.xml",
        "views/sale_order_views.xml",
        "views/stock_picking_views.xml",
        "wizard/okr_cycle_generate_views.xml",
        "views/okr_menus.xml",
        "data/okr_cron.xml",
        "data/crm_tag_data.xml",
        "data/okr_metric_data.xml",
    ],
    "pre_init_hook": "pre_init_hook",
    "uninstall_hook": "uninstall_hook",
    "demo": [
        "demo/okr_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "okr_order_management/static/src/**/*",
        ],
        "web.assets_tests": [
            "okr_order_management/static/tests/tours/*.js",
        ],
    },
}
