"""The merchant's chat commands: rounds, products, orders taken for customers, payments
and deliveries, and the reports behind them (summaries, lists, Excel exports, charts)."""
