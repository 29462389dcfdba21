from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged

#: Queries of each screen, for any number of objectives (measured at 20 and
#: 200 objectives with 4 key results each), as a plain OKR user.
KANBAN_QUERIES = 11
TREE_QUERIES = 7


def view_spec(model, view_type):
    """The ``web_search_read`` specification the web client sends for the
    default ``view_type`` view of ``model``: its fields, with the display
    name (and colour for tags) of relational ones."""
    arch = model.get_views([(False, view_type)])["views"][view_type]["arch"]
    spec = {}
    for node in etree.fromstring(arch).iter("field"):
        field = model._fields[node.get("name")]
        if field.relational:
            related = {"display_name": {}}
            if "color" in model.env[field.comodel_name]._fields:
                related["color"] = {}
            spec[field.name] = {"fields": related}
        else:
            spec[field.name] = {}
    return spec


@tagged("post_install", "-at_install")
class TestOkrScreensQueryCount(TransactionCase):
    """The objective kanban of a cycle and its alignment tree cost a fixed
    number of queries, however many objectives and key results they show."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, login="perf_user", groups="base.group_user")
        cls.departments = cls.env["hr.department"].create(
            [{"name": f"Department {n}"} for n in range(4)]
        )
        cls.small = cls._create_cycle("Small", 20)
        cls.large = cls._create_cycle("Large", 200)

    @classmethod
    def _create_cycle(cls, name, size):
        """A cycle of ``size`` objectives, 4 key results each: 2 company
        objectives, 2 department ones under each, the rest under those."""
        env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cycle = env["okr.cycle"].create(
            {"name": name, "date_start": "2026-10-01", "date_end": "2026-12-31"}
        )
        Objective = env["okr.objective"]

        def create(count, level, parents):
            return Objective.create(
                [
                    {
                        "name": f"{name} {level} {n}",
                        "cycle_id": cycle.id,
                        "level": level,
                        "user_id": cls.user.id,
                        "department_id": cls.departments[n % 4].id,
                        "parent_id": parents[n % len(parents)].id if parents else False,
                    }
                    for n in range(count)
                ]
            )

        companies = create(2, "company", None)
        departments = create(4, "department", companies)
        people = create(size - 6, "individual", departments)
        env["okr.key.result"].create(
            [
                {
                    "name": f"{objective.name} KR {n}",
                    "objective_id": objective.id,
                    "target_value": 100.0,
                    "current_value": float(10 * n + objective.id % 7),
                }
                for objective in companies | departments | people
                for n in range(4)
            ]
        )
        return cycle

    def _kanban(self, cycle):
        """What the objective kanban asks, grouped by department."""
        Objective = self.env["okr.objective"]
        domain = [("cycle_id", "=", cycle.id)]
        groups = Objective.web_read_group(
            domain, ["progress:avg"], ["department_id"], lazy=True
        )
        Objective.read_progress_bar(
            domain,
            "department_id",
            {
                "field": "status",
                "colors": {"on_track": "success", "at_risk": "warning"},
            },
        )
        records = Objective.web_search_read(domain, self.kanban_spec)
        return groups, records

    def _tree(self, cycle, domain):
        """What the alignment tree asks: the cycle's roots, or all of it."""
        return self.env["okr.objective"].hierarchy_read(
            [("cycle_id", "=", cycle.id), *domain],
            [*self.tree_spec, "parent_id", "child_ids"],
            "parent_id",
            "child_ids",
        )

    def setUp(self):
        super().setUp()
        self.env = self.env(user=self.user)
        Objective = self.env["okr.objective"]
        self.kanban_spec = view_spec(Objective, "kanban")
        self.tree_spec = view_spec(Objective, "hierarchy")
        # Warm the caches of views, rules and groups as a cold request would.
        self.cold_cache()
        self._kanban(self.small)
        self.cold_cache()
        self._tree(self.small, [])

    def cold_cache(self):
        """Nothing in the cache but the request's user and its companies, as
        a request starts (the session check loads them)."""
        self.env.invalidate_all()
        self.user.partner_id.fetch(["complete_name"])
        self.user.company_ids.fetch(["name"])

    def assertQueries(self, expected, func, *args):
        """``func(*args)`` costs exactly ``expected`` queries (Odoo's
        ``assertQueryCount`` only fails on more); its result."""
        self.env.flush_all()
        before = self.cr.sql_log_count
        with self.assertQueryCount(expected):
            result = func(*args)
        self.assertEqual(self.cr.sql_log_count - before, expected)
        return result

    def test_kanban_query_count(self):
        for cycle, size in ((self.small, 20), (self.large, 200)):
            self.cold_cache()
            with self.subTest(size=size):
                groups, records = self.assertQueries(
                    KANBAN_QUERIES, self._kanban, cycle
                )
            self.assertEqual(records["length"], size)
            self.assertEqual(
                sum(g["department_id_count"] for g in groups["groups"]), size
            )
            self.assertEqual({r["key_result_count"] for r in records["records"]}, {4})

    def test_tree_query_count(self):
        for cycle, size in ((self.small, 20), (self.large, 200)):
            for domain, shown in (([("parent_id", "=", False)], 2), ([], size)):
                self.cold_cache()
                with self.subTest(size=size, roots=bool(domain)):
                    rows = self.assertQueries(TREE_QUERIES, self._tree, cycle, domain)
                self.assertEqual(len(rows), shown)
                self.assertEqual(
                    sum(len(row["child_ids"]) for row in rows),
                    4 if domain else size - 2,
                )
