"""Timed work: the scheduler and its job store, what each job does (cut-offs, reminders,
daily summaries) and the merchant's schedule commands (截单时间 定时 取消定时)."""
