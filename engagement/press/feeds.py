"""RSS and Atom feeds of the newsroom: live, public releases only, so an embargoed
release is not in a feed until the moment it goes live."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

FEED_LENGTH = 20


class PressReleaseRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def __init__(self, newsroom):
        super().__init__()
        self.newsroom = newsroom

    def title(self):
        return self.newsroom.title

    def link(self):
        return self.newsroom.url

    def description(self):
        return self.newsroom.introduction or f"Press releases: {self.newsroom.title}"

    def items(self):
        return self.newsroom.releases()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class PressReleaseAtomFeed(PressReleaseRssFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
