"""The LureWatch Scrapy project: one spider per source kind (``spiders.kinds``), the record
pipelines, the source register and the ``python -m spiders.run`` entry point."""
