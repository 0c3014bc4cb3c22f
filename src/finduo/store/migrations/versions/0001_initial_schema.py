"""initial schema

Revision ID: 0001
Revises: -
Create Date: 2026-12-04

Every table of the first build; the managed reason codes are seeded here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

TS = sa.DateTime(timezone=True)

# (code, applies_to, English label, German label)
REASON_CODES: list[tuple[str, str, str, str]] = [
    (
        "CONFIRMS_MACHINE",
        "any",
        "Agrees with the machine's assessment",
        "Bestätigt die Einschätzung der Maschine",
    ),
    (
        "INCOME_VERIFIED",
        "approve",
        "Income verified with documents",
        "Einkommen durch Unterlagen belegt",
    ),
    (
        "KNOWN_GOOD_CUSTOMER",
        "approve",
        "Existing customer with a good payment record",
        "Bestandskunde mit gutem Zahlungsverhalten",
    ),
    (
        "COLLATERAL",
        "approve",
        "Collateral or guarantee provided",
        "Sicherheit oder Bürgschaft gestellt",
    ),
    (
        "DATA_CORRECTED",
        "any",
        "Application data corrected after checking",
        "Antragsdaten nach Prüfung korrigiert",
    ),
    (
        "OUTSIDE_INFORMATION",
        "any",
        "Information the model does not see",
        "Informationen, die das Modell nicht kennt",
    ),
    ("AFFORDABILITY", "decline", "Repayments not affordable", "Raten nicht tragbar"),
    (
        "FRAUD_SUSPECTED",
        "decline",
        "Suspected fraud or identity not confirmed",
        "Betrugsverdacht oder Identität nicht bestätigt",
    ),
    (
        "NEGATIVE_BUREAU",
        "decline",
        "Negative credit bureau information",
        "Negative Auskunft der Kreditauskunftei",
    ),
    (
        "DOCUMENTS_MISSING",
        "decline",
        "Documents missing or incomplete",
        "Unterlagen fehlen oder sind unvollständig",
    ),
    ("OTHER", "any", "Other reason, see comment", "Sonstiger Grund, siehe Kommentar"),
]

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("ts", TS, nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_audit_events_action", "audit_events", ["action"])

    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("pd", sa.Float(), nullable=False),
        sa.Column("score_points", sa.Float(), nullable=True),
        sa.Column("band", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("recommendation", sa.String(length=16), nullable=False),
        sa.Column("terms", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("referral_reasons", sa.JSON(), nullable=False),
        sa.Column("rules_fired", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=128), nullable=False),
        sa.Column("policy_version", sa.String(length=128), nullable=False),
        sa.Column("inputs_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("application", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("erased_at", TS, nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("decision_id"),
        sa.UniqueConstraint("actor", "idempotency_key", name="uq_decisions_actor_key"),
    )
    op.create_index("ix_decisions_application_id", "decisions", ["application_id"])
    op.create_index("ix_decisions_created_at", "decisions", ["created_at"])
    op.create_index("ix_decisions_outcome", "decisions", ["outcome"])

    op.create_table(
        "model_versions",
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("dataset", sa.String(length=128), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("proposed_by", sa.String(length=128), nullable=True),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("retired_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "policy_versions",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("version_label", sa.String(length=64), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("proposed_by", sa.String(length=128), nullable=True),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("proposed_at", TS, nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("retired_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    op.create_index("ix_policy_versions_name", "policy_versions", ["name"])

    reason_codes = op.create_table(
        "reason_codes",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label_en", sa.String(length=255), nullable=False),
        sa.Column("label_de", sa.String(length=255), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "settings_kv",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("user_name", sa.String(length=128), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=True),
        sa.Column("subject_id", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("referral_reasons", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.decision_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_decision_id", "cases", ["decision_id"])
    op.create_index("ix_cases_status", "cases", ["status"])

    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=True),
        sa.Column("observed_at", TS, nullable=False),
        sa.Column("source_row", sa.String(length=255), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.decision_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "decision_id", "kind", "observed_at", name="uq_outcomes_event"
        ),
    )
    op.create_index("ix_outcomes_decision_id", "outcomes", ["decision_id"])

    op.create_table(
        "resolutions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("terms", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("is_override", sa.Boolean(), nullable=False),
        sa.Column("first_judgement", sa.String(length=16), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reason_code"],
            ["reason_codes.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_index("ix_resolutions_reviewer", "resolutions", ["reviewer"])

    op.bulk_insert(
        reason_codes,
        [
            {
                "code": code,
                "applies_to": applies,
                "label_en": en,
                "label_de": de,
                "active": True,
            }
            for code, applies, en, de in REASON_CODES
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_resolutions_reviewer", table_name="resolutions")

    op.drop_table("resolutions")
    op.drop_index("ix_outcomes_decision_id", table_name="outcomes")

    op.drop_table("outcomes")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_decision_id", table_name="cases")

    op.drop_table("cases")
    op.drop_table("users")
    op.drop_table("tokens")
    op.drop_table("settings_kv")
    op.drop_table("reason_codes")
    op.drop_index("ix_policy_versions_name", table_name="policy_versions")

    op.drop_table("policy_versions")
    op.drop_table("model_versions")
    op.drop_index("ix_decisions_outcome", table_name="decisions")
    op.drop_index("ix_decisions_created_at", table_name="decisions")
    op.drop_index("ix_decisions_application_id", table_name="decisions")

    op.drop_table("decisions")
    op.drop_index("ix_audit_events_action", table_name="audit_events")

    op.drop_table("audit_events")
