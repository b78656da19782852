"""Partner feed profiles: RSS 2.0 feeds in the dialect and under the rules of one partner each
(Google News, MSN, SmartNews, Flipboard, and the site's own), under `out/partners/<profile>/`."""
