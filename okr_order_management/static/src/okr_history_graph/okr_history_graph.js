import { loadBundle } from "@web/core/assets";
import { getColor } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component, onWillStart, useEffect, useRef } from "@odoo/owl";

/**
 * The value of a key result over time (one point per check-in day), with
 * its start and target as reference lines.
 */
export class OkrHistoryGraphField extends Component {
    static template = "okr_order_management.OkrHistoryGraphField";
    static props = { ...standardFieldProps };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => {
                this.renderChart();
                return () => this.chart?.destroy();
            },
            () => [this.history]
        );
    }

    get history() {
        return this.props.record.data[this.props.name] || { points: [] };
    }

    renderChart() {
        this.chart?.destroy();
        const { points, start, target } = this.history;
        if (!points.length) {
            return;
        }
        const labels = points.map((point) => point.date);
        const reference = (value) => labels.map(() => value);
        // A line needs two days: on the first, the references show as points.
        const referenceRadius = labels.length > 1 ? 0 : 4;
        this.chart = new Chart(this.canvasRef.el, {
            type: "line",
            data: {
                labels,
                datasets: [
                    {
                        label: _t("Value"),
                        data: points.map((point) => point.value),
                        borderColor: getColor(1),
                        backgroundColor: getColor(1),
                        tension: 0,
                    },
                    {
                        label: _t("Target"),
                        data: reference(target),
                        borderColor: getColor(10),
                        borderDash: [6, 4],
                        pointRadius: referenceRadius,
                    },
                    {
                        label: _t("Start"),
                        data: reference(start),
                        borderColor: getColor(0),
                        borderDash: [2, 4],
                        pointRadius: referenceRadius,
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                plugins: { legend: { position: "bottom" } },
            },
        });
    }
}

registry.category("fields").add("okr_history_graph", {
    component: OkrHistoryGraphField,
    supportedTypes: ["json"],
});
