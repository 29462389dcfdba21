import { registry } from "@web/core/registry";
import { DomainField, domainField } from "@web/views/fields/domain/domain_field";

/**
 * The extra filter of a metric key result: the domain editor, without the
 * "N record(s)" count of the standard widget. That count matches the extra
 * filter alone, while the key result only counts the records that also
 * match its metric, scope and window: a number the metric does not count.
 */
export class OkrScopeDomainField extends DomainField {
    static template = "okr_order_management.OkrScopeDomainField";

    async checkProps(props = this.props) {
        if (!this.getResModel(props)) {
            this.updateState({});
            return;
        }
        // Valid or not only: no search_count of the records it matches.
        const isValid = Boolean(await this.quickValidityCheck(props));
        this.updateState({ isValid, recordCount: 0 });
    }
}

registry.category("fields").add("okr_scope_domain", {
    ...domainField,
    component: OkrScopeDomainField,
});
