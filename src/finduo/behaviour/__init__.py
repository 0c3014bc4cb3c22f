"""Early warning for existing customers: behavioural features from payment history."""
