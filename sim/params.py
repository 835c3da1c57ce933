"""Every model parameter with its default, unit, allowed range and one-line meaning.

`Params` is a frozen pydantic model: invalid values are rejected with a message that
names the parameter. Field metadata (`unit`, `group`, `source`) feeds docs/ODD.md, the
dashboard's widgets and the sweep validator; `eachcustomer.sim` itself never reads it.

Each field's `source` names the seed article that motivates it: S000 is "Our Product,
The Customer", S003 is "The Wrong Customer and the Real Customer" (shared/seeds/); or, for
a cost, the statistic its default comes from (docs/CALIBRATION.md, section 1.8).

Money is in one currency throughout: `revenue_per_customer`, `wage_cost_per_hour` and the
interventions' direct costs (`eachcustomer.sim.interventions`). The shipped defaults are US dollars:
`wage_cost_per_hour` = 45.65 is total compensation per hour worked, US private industry,
June 2025 (BLS Employer Costs for Employee Compensation).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, ValidationError, model_validator

from eachcustomer.sim.checked import CheckedModel


def _field(
    default: Any, low: float, high: float, unit: str, group: str, source: str, meaning: str
) -> Any:
    """A parameter: default, closed range [low, high], unit, group and seed source."""
    return Field(
        default,
        ge=low,
        le=high,
        description=meaning,
        json_schema_extra={"unit": unit, "group": group, "source": source},
    )


class Department(CheckedModel):
    """One department of a generated organization."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = Field(min_length=1, description="department name")
    share: float = Field(ge=0.0, le=1.0, description="share of staff below the chief")
    customer_facing: bool = Field(description="its staff serve customers directly")
    handles_complaints: bool = Field(
        default=False, description="its customers arrive with complaints (customer service)"
    )
    customer_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="weight of customer outcomes, against boss approval, in its evaluations",
    )


DEFAULT_DEPARTMENTS: tuple[Department, ...] = (
    Department(name="sales", share=0.34, customer_facing=True, customer_weight=0.5),
    Department(
        name="customer service",
        share=0.14,
        customer_facing=True,
        handles_complaints=True,
        customer_weight=0.5,
    ),
    Department(name="marketing", share=0.08, customer_facing=False),
    Department(name="operations", share=0.16, customer_facing=False),
    Department(name="logistics", share=0.10, customer_facing=False),
    Department(name="purchasing", share=0.06, customer_facing=False),
    Department(name="finance", share=0.06, customer_facing=False),
    Department(name="human resources", share=0.06, customer_facing=False),
)
"""MODEL.md's departments: retail/sales and customer service face customers (S000:
"Individuals in purchasing, manufacturing, shipping, receiving, or finance may never
interact with the customer"); back-office evaluation forms have no customer section
(S003: "the marketing department's annual employee evaluation form doesn't even include a
section for customer service")."""


class Params(CheckedModel):
    """All parameters of the model. Rates are per week (one step is one week)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False
    )

    # --- organization -------------------------------------------------------------
    n_employees: int = _field(
        500,
        2,
        2_000_000,
        "employees",
        "organization",
        "S003",
        "head count of a generated organization",
    )
    span_of_control: int = _field(
        6,
        2,
        100,
        "reports per manager",
        "organization",
        "S003",
        "reports per manager; depth follows from size and span",
    )
    peer_tie_probability: float = _field(
        0.5,
        0.0,
        1.0,
        "probability",
        "organization",
        "S000",
        "chance that two members of one team are tied",
    )
    cross_department_ties: float = _field(
        0.05,
        0.0,
        5.0,
        "ties per employee",
        "organization",
        "S000",
        "random ties drawn per employee; those within one department are dropped",
    )
    departments: tuple[Department, ...] = Field(
        DEFAULT_DEPARTMENTS,
        min_length=1,
        description="departments of a generated organization, with shares and flags",
        json_schema_extra={"unit": "", "group": "organization", "source": "S000, S003"},
    )
    customers_per_employee: float = _field(
        10.0,
        0.0,
        1000.0,
        "customers",
        "customers",
        "S000",
        "size of the customer base per employee",
    )

    # --- initial culture and hiring -----------------------------------------------
    disposition_mean: float = _field(
        0.2,
        -1.0,
        1.0,
        "attitude",
        "culture",
        "S000",
        "mean personal disposition toward customers at start",
    )
    disposition_sd: float = _field(
        0.3, 0.0, 2.0, "attitude", "culture", "S000", "spread of personal dispositions at start"
    )
    initial_customer_focus: float = _field(
        0.5, 0.0, 1.0, "share of effort", "culture", "S003", "customer focus of everyone at start"
    )

    # --- 1. encounters ------------------------------------------------------------
    contact_rate: float = _field(
        0.15,
        0.0,
        1.0,
        "contacts per customer per week",
        "encounters",
        "S000",
        "weekly chance that an active customer contacts the organization",
    )
    complaint_share: float = _field(
        0.25,
        0.0,
        1.0,
        "share of contacts",
        "encounters",
        "S000",
        "share of contacts that are complaints at satisfaction 0 (none at 1, twice as many at -1)",
    )
    complaint_mood: float = _field(
        0.8,
        0.0,
        2.0,
        "expectation",
        "encounters",
        "S000",
        "how much worse a complaining customer expects to be treated",
    )
    encounter_impact: float = _field(
        1.0,
        0.0,
        5.0,
        "multiplier",
        "encounters",
        "S000",
        "strength of encounters on employees (0 switches off)",
    )
    quality_base: float = _field(
        0.3,
        -1.0,
        1.0,
        "quality",
        "encounters",
        "S000",
        "interaction quality of a neutral employee and customer",
    )
    quality_attitude_weight: float = _field(
        0.3,
        0.0,
        2.0,
        "quality per attitude",
        "encounters",
        "S000",
        "how much the employee's attitude shows",
    )
    quality_focus_weight: float = _field(
        0.3,
        0.0,
        2.0,
        "quality per focus",
        "encounters",
        "S003",
        "how much the employee's customer focus shows",
    )
    quality_support_weight: float = _field(
        0.3,
        0.0,
        2.0,
        "quality per focus",
        "encounters",
        "S003",
        "how much the back office's customer focus shows (the stale bun)",
    )
    quality_expectation_weight: float = _field(
        0.4,
        0.0,
        2.0,
        "quality per expectation",
        "encounters",
        "S000",
        "negative expectations produce negative results",
    )
    quality_strain_weight: float = _field(
        0.3,
        0.0,
        2.0,
        "quality per strain",
        "encounters",
        "S000",
        "how much strain spoils an interaction",
    )
    quality_noise: float = _field(
        0.25,
        0.0,
        2.0,
        "quality",
        "encounters",
        "S000",
        "standard deviation of chance in an interaction",
    )
    hostile_quality: float = _field(
        -0.2,
        -1.0,
        0.0,
        "quality",
        "encounters",
        "S000",
        "an interaction below this quality is hostile",
    )
    hostile_attitude_push: float = _field(
        0.08,
        0.0,
        1.0,
        "attitude per week",
        "encounters",
        "S000",
        "attitude lost by an employee whose encounters are all hostile",
    )
    good_attitude_lift: float = _field(
        0.02,
        0.0,
        1.0,
        "attitude per week",
        "encounters",
        "S000",
        "attitude gained by an employee whose encounters are all good",
    )
    strain_gain: float = _field(
        0.15,
        0.0,
        1.0,
        "strain per week",
        "encounters",
        "S000",
        "strain added by a week of only hostile encounters",
    )
    strain_recovery: float = _field(
        0.1,
        0.0,
        1.0,
        "share per week",
        "encounters",
        "S000",
        "share of strain that wears off each week",
    )
    satisfaction_learning: float = _field(
        0.2,
        0.0,
        1.0,
        "share per contact",
        "customers",
        "S000",
        "how far one interaction moves a customer's satisfaction toward its quality",
    )
    bad_interaction_weight: float = _field(
        2.5,
        1.0,
        10.0,
        "multiplier",
        "customers",
        "S000",
        "a bad interaction counts this many times a good one",
    )
    offer_weight: float = _field(
        0.3,
        0.0,
        1.0,
        "share of a judgment",
        "customers",
        "Harter et al. 2002 (calibrated, CALIBRATION.md 3.1)",
        "weight of the offer (product, price, place) against the service in a customer's "
        "judgment of a contact; 0 switches the offer off",
    )
    offer_quality_mean: float = _field(
        0.35,
        -1.0,
        1.0,
        "quality",
        "customers",
        "ODD 11.2",
        "mean quality of an organization's offer (about the mean interaction quality)",
    )
    offer_quality_sd: float = _field(
        0.25,
        0.0,
        1.0,
        "quality",
        "customers",
        "Harter et al. 2002 (calibrated, CALIBRATION.md 3.1)",
        "spread of offer quality between organizations, drawn once per organization",
    )
    very_bad_quality: float = _field(
        -0.3,
        -1.0,
        0.0,
        "quality",
        "customers",
        "S000; calibrated (CALIBRATION.md 1.5)",
        "an interaction below this quality is very bad",
    )
    loss_on_very_bad: float = _field(
        0.55,
        0.0,
        1.0,
        "probability",
        "customers",
        "S000; calibrated (CALIBRATION.md 1.5)",
        "chance that a very bad interaction loses the customer for good",
    )
    base_churn: float = _field(
        0.0014,
        0.0,
        0.2,
        "probability per week",
        "customers",
        "S000; calibrated (CALIBRATION.md 1.6)",
        "chance a customer leaves in a week for reasons of its own",
    )
    dissatisfied_churn: float = _field(
        0.0065,
        0.0,
        0.5,
        "probability per week",
        "customers",
        "S000; calibrated (CALIBRATION.md 1.6)",
        "added weekly chance of leaving at satisfaction -1",
    )
    acquisition_rate: float = _field(
        0.003,
        0.0,
        1.0,
        "share of the initial base per week",
        "customers",
        "S000",
        "new customers arriving each week",
    )
    prior_expectation: float = _field(
        0.0,
        -1.0,
        1.0,
        "expectation",
        "customers",
        "S000",
        "mean expectation of a customer who has heard nothing",
    )
    initial_satisfaction: float = _field(
        0.3,
        -1.0,
        1.0,
        "satisfaction",
        "customers",
        "S000",
        "mean satisfaction of the customers at the start",
    )
    expectation_sd: float = _field(
        0.3, 0.0, 2.0, "expectation", "customers", "S000", "spread of new customers' expectations"
    )
    word_of_mouth: float = _field(
        0.5,
        0.0,
        2.0,
        "expectation per reputation",
        "customers",
        "S000",
        "how much reputation shapes new customers' expectations",
    )
    unhappy_voice: float = _field(
        2.3,
        1.0,
        100.0,
        "multiplier",
        "customers",
        "S000; calibrated (CALIBRATION.md 1.4)",
        "how much louder unhappy customers speak than happy ones",
    )
    lost_voice: float = _field(
        2.6,
        1.0,
        1000.0,
        "multiplier",
        "customers",
        "S000; calibrated (CALIBRATION.md 1.4)",
        "how much louder a customer who left speaks than a happy one",
    )
    reputation_memory: float = _field(
        0.1,
        0.0,
        1.0,
        "share per week",
        "customers",
        "S000",
        "how fast reputation follows what customers say",
    )
    revenue_per_customer: float = _field(
        100.0,
        0.0,
        1e6,
        "currency per week",
        "customers",
        "S003",
        "revenue from one active customer in a week",
    )

    # --- 2. contagion ---------------------------------------------------------------
    contagion_rate: float = _field(
        0.1,
        0.0,
        1.0,
        "share per week",
        "contagion",
        "S000",
        "how far attitude moves toward neighbours' in a week",
    )
    negativity_bias: float = _field(
        2.1,
        1.0,
        10.0,
        "multiplier",
        "contagion",
        "S000; calibrated (CALIBRATION.md 1.7)",
        "weight of a more negative neighbour against a more positive one",
    )
    boss_weight: float = _field(
        2.0,
        0.0,
        10.0,
        "relative weight",
        "contagion",
        "S003",
        "weight of one's boss (tone from the top)",
    )
    peer_weight: float = _field(
        1.0, 0.0, 10.0, "relative weight", "contagion", "S000", "weight of a peer"
    )
    report_weight: float = _field(
        0.5, 0.0, 10.0, "relative weight", "contagion", "S003", "weight of one's direct reports"
    )
    disposition_pull: float = _field(
        0.02,
        0.0,
        1.0,
        "share per week",
        "contagion",
        "S000; calibrated (CALIBRATION.md 1.3)",
        "pull back toward one's personal disposition (stubbornness)",
    )

    # --- 3. distance drift ----------------------------------------------------------
    drift_rate: float = _field(
        0.0011,
        0.0,
        0.2,
        "share per hop per week",
        "drift",
        "S000; calibrated (CALIBRATION.md 1.9)",
        "drift toward impersonal per hop of distance from customers",
    )

    # --- 4. incentives --------------------------------------------------------------
    incentive_rate: float = _field(
        0.1,
        0.0,
        1.0,
        "share per week",
        "incentives",
        "S003",
        "how fast customer focus adapts to what is rewarded",
    )
    visibility_decay: float = _field(
        0.6,
        0.0,
        1.0,
        "share per hop",
        "incentives",
        "S003",
        "share of customer outcomes still visible one hop farther away",
    )
    shareholder_pressure: float = _field(
        0.5,
        0.0,
        1.0,
        "share",
        "incentives",
        "S003",
        "how much the top leader serves shareholders rather than the real customer",
    )
    intrinsic_motivation: float = _field(
        0.3,
        0.0,
        1.0,
        "share",
        "incentives",
        "S003",
        "share of the missing focus a fully positive attitude supplies unrewarded",
    )
    focus_noise: float = _field(
        0.02,
        0.0,
        0.5,
        "focus per week",
        "incentives",
        "S003",
        "standard deviation of week-to-week change in focus",
    )

    # --- 5. turnover and hiring ---------------------------------------------------
    turnover_rate: float = _field(
        0.003,
        0.0,
        0.5,
        "probability per week",
        "turnover",
        "S000",
        "chance an unstrained employee leaves in a week",
    )
    strain_turnover: float = _field(
        3.0,
        0.0,
        50.0,
        "multiplier",
        "turnover",
        "S000",
        "extra leaving at full strain, as a multiple of the base",
    )
    hire_attitude_mean: float = _field(
        0.2,
        -1.0,
        1.0,
        "attitude",
        "turnover",
        "S000",
        "mean attitude and disposition of a new hire",
    )
    hire_attitude_sd: float = _field(
        0.3, 0.0, 2.0, "attitude", "turnover", "S000", "spread of new hires' attitudes"
    )

    # --- 6. interventions ---------------------------------------------------------
    lasting_share: float = _field(
        0.37,
        0.0,
        1.0,
        "share of a lift",
        "interventions",
        "Saks & Belcourt 2006 (calibrated, CALIBRATION.md 3.5)",
        "share of a one-off program's lift that also moves participants' dispositions "
        "(lasting learning)",
    )

    # --- costs ----------------------------------------------------------------------
    wage_cost_per_hour: float = _field(
        45.65,
        0.0,
        10_000.0,
        "currency per hour",
        "costs",
        "BLS ECEC",
        "what an hour of staff time costs the employer (wages and benefits); prices "
        "interventions' hours",
    )
    leader_wage_ratio: float = _field(
        2.0,
        1.0,
        20.0,
        "ratio",
        "costs",
        "assumption (CALIBRATION.md 1.10)",
        "what a leader's hour costs against the average hour; prices leadership tone's hours",
    )

    # --- schedule -------------------------------------------------------------------
    horizon_weeks: int = _field(104, 1, 5200, "weeks", "schedule", "", "length of a run")

    @model_validator(mode="after")
    def _check_combinations(self) -> Params:
        if self.contagion_rate * self.negativity_bias > 1.0:
            raise ValueError(
                "contagion_rate * negativity_bias must be at most 1 (else an employee "
                f"overshoots a negative neighbour); got {self.contagion_rate} * "
                f"{self.negativity_bias}"
            )
        total = sum(d.share for d in self.departments)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"departments: shares must sum to 1, they sum to {total:.4g}")
        names = [d.name for d in self.departments]
        if len(set(names)) != len(names):
            raise ValueError(f"departments: names must be unique, got {names}")
        if not any(d.customer_facing for d in self.departments):
            raise ValueError("departments: at least one department must be customer-facing")
        return self

    def replace(self, **changes: Any) -> Params:
        """A copy with some values changed, validated again."""
        return Params(**{**self.model_dump(), **changes})


SET_AT_START = frozenset(
    {
        "n_employees",
        "span_of_control",
        "peer_tie_probability",
        "cross_department_ties",
        "departments",
        "customers_per_employee",
        "disposition_mean",
        "disposition_sd",
        "initial_satisfaction",
        "offer_quality_mean",
        "offer_quality_sd",
    }
)
"""Parameters read only when the model is built (the organization and the starting state):
changing one later would change nothing, so `OrgModel.set_params` refuses them."""


class ParamsError(ValueError):
    """Invalid parameter values, with one line per offending parameter."""


def make_params(overrides: dict[str, Any] | None = None, where: str = "") -> Params:
    """Validate overrides into Params, raising ParamsError that names each bad key.

    Args:
        overrides: parameter names and values; unknown names are rejected.
        where: where the values came from (a file name), put in front of each message.
    """
    try:
        return Params(**(overrides or {}))
    except ValidationError as exc:
        raise ParamsError(describe_validation_error(exc, where)) from None


def describe_validation_error(exc: ValidationError, where: str = "", key_prefix: str = "") -> str:
    """One line per problem: where, the key path, what is wrong and the value given."""
    prefix = f"{where}: " if where else ""
    lines = []
    for err in exc.errors():
        key = key_prefix + ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        shown = (
            f" (got {err['input']!r})"
            if err["type"] not in ("missing",) and not isinstance(err.get("input"), dict)
            else ""
        )
        lines.append(f"{prefix}{key or 'parameters'}: {message}{shown}")
    return "\n".join(lines)


def parameter_table() -> list[dict[str, Any]]:
    """Name, meaning, unit, default, range, group and seed source of every scalar field."""
    rows = []
    for name, field in Params.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        low = high = None
        for item in field.metadata:
            low = getattr(item, "ge", low)
            high = getattr(item, "le", high)
        rows.append(
            {
                "name": name,
                "meaning": field.description,
                "unit": extra.get("unit", ""),
                "default": field.default,
                "low": low,
                "high": high,
                "group": extra.get("group", ""),
                "source": extra.get("source", ""),
            }
        )
    return rows
