"""Params: the combined limits that no single field's range can express."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from eachcustomer.sim.params import Params, ParamsError, make_params


def test_contagion_rate_times_negativity_bias_is_at_most_one():
    # 0.25 * 4 is exactly 1: the limit itself is allowed, as is anything below it.
    assert Params(contagion_rate=0.25, negativity_bias=4.0).contagion_rate == 0.25
    assert Params(contagion_rate=0.2499, negativity_bias=4.0).negativity_bias == 4.0
    with pytest.raises(ValidationError, match=r"contagion_rate \* negativity_bias"):
        Params(contagion_rate=0.2501, negativity_bias=4.0)
    with pytest.raises(ParamsError) as error:
        make_params({"contagion_rate": 0.2501, "negativity_bias": 4.0}, where="plan.toml")
    message = str(error.value)
    assert message.startswith("plan.toml: ")
    assert "contagion_rate" in message and "negativity_bias" in message
    assert "0.2501 * 4.0" in message
