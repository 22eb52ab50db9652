"""Business rules. Views turn forms into typed inputs and call these functions."""
