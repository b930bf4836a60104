"""Following the news: the safe fetcher, feeds and their discovery, sources and `watch`."""
