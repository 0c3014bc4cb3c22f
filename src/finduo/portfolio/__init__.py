"""Early warning across the portfolio: scan engines, policy, watchlist, generator."""
