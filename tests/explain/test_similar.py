"""Similar past customers on German credit, in the model's feature space."""

from __future__ import annotations

import numpy as np
import pytest

from finduo.datasets.german import ID_COLUMN, PROTECTED
from finduo.errors import DataError
from finduo.explain import SimilarCustomers, repaid_share


@pytest.fixture(scope="module")
def similar(trained, engine) -> SimilarCustomers:
    spec = trained.model.spec
    features = [(f.name, f.kind) for f in spec.features]
    X = spec.encode_frame(trained.train)
    weights = np.abs(trained.model.contributions(X))[:, : len(features)].mean(axis=0)
    return SimilarCustomers(
        spec,
        features,
        trained.train,
        "bad",
        weights=weights,
        exclude=(ID_COLUMN, *PROTECTED),
        id_column=ID_COLUMN,
    )


def test_nearest_returns_ten_sorted_by_similarity(similar, applications):
    neighbours = similar.nearest(applications[0], 10)

    assert len(neighbours) == 10
    sims = [n.similarity for n in neighbours]
    assert sims == sorted(sims, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in sims)


def test_nearest_never_shows_ids_or_protected_characteristics(similar, applications):
    neighbours = similar.nearest(applications[1], 10)

    shown = set(neighbours[0].attributes)
    assert shown, "key attributes must be shown"
    assert ID_COLUMN not in shown
    assert shown.isdisjoint(PROTECTED)
    assert "bad" not in shown


def test_a_past_customer_is_their_own_nearest_neighbour(similar, trained, engine):
    row = trained.train.drop(columns=["bad"]).iloc[7].to_dict()
    record = engine.schema.validate(engine.schema.csv_values(row))
    record["application_id"] = "NEW-APPLICATION"

    nearest = similar.nearest(record, 1)[0]

    assert nearest.similarity == pytest.approx(1.0)
    assert nearest.repaid == (trained.train["bad"].iloc[7] == 0)
    for column, value in nearest.attributes.items():
        assert str(value) == str(trained.train[column].iloc[7])


def test_the_applicant_is_never_shown_as_their_own_past_customer(
    similar, trained, engine
):
    row = trained.train.drop(columns=["bad"]).iloc[7].to_dict()
    record = engine.schema.validate(engine.schema.csv_values(row))

    identical = int((similar.distances(record) == 0).sum())  # self and twins

    neighbours = similar.nearest(record, 10)

    assert identical >= 1
    assert len(neighbours) == 10
    assert sum(n.similarity == 1.0 for n in neighbours) == min(identical - 1, 10)


def test_distance_grows_when_a_heavily_weighted_feature_changes(similar, applications):
    app = dict(applications[2])
    base = similar.distances(app)
    app["credit_amount"] = app["credit_amount"] * 3 + 5000

    moved = similar.distances(app)

    assert not np.allclose(base, moved)


def test_neighbours_of_good_and_bad_profiles_repay_differently(
    similar, trained, engine
):
    """The 10 neighbours of past bad customers repay less often than those of
    past good ones (leave-self-out is not needed: each is its own neighbour
    in both groups alike)."""
    rows = trained.train.drop(columns=["bad"])
    bad = trained.train.index[trained.train["bad"] == 1][:40]
    good = trained.train.index[trained.train["bad"] == 0][:40]

    def share(indices):
        out = []
        for i in indices:
            record = engine.schema.validate(
                engine.schema.csv_values(rows.iloc[i].to_dict())
            )
            out.append(repaid_share(similar.nearest(record, 11)[1:]))
        return float(np.mean(out))

    assert share(good) > share(bad)


def test_history_with_a_bad_target_is_refused(trained):
    history = trained.train.copy()
    history.loc[3, "bad"] = 2
    spec = trained.model.spec

    with pytest.raises(DataError, match=r"row 4, field 'bad': expected 0 or 1; got 2"):
        SimilarCustomers(
            spec, [(f.name, f.kind) for f in spec.features], history, "bad"
        )
