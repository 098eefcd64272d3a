"""One spider per source kind. ``KINDS`` maps a register ``kind`` to its spider class
(dotted path, so importing this package does not import Scrapy spiders)."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "jobposting": "spiders.kinds.jobposting.JobPostingSpider",
    "feed": "spiders.kinds.feed.FeedSpider",
    "telegram": "spiders.kinds.telegram.TelegramPreviewSpider",
    "reddit": "spiders.kinds.reddit.RedditListingSpider",
    "listing": "spiders.kinds.listing.ListingSpider",
}
