"""The archive on the web and in feed readers: feeds out (Atom, RSS, JSON Feed), the feed health
page, and newsroll's Datasette plugin (archive.web.plugin, needs the ``web`` extra)."""
