"""The EachCustomer dashboard (Dash): explore, organization, compare, experiments, learn."""
