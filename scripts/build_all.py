"""Rebuild every file under geodata/ that comes from a public source (run from any folder)."""

import build_article_layers
import build_basemap
import build_gazetteer
import build_occupied

if __name__ == "__main__":
    build_basemap.main()
    build_occupied.main()
    build_article_layers.main()
    build_gazetteer.main()
