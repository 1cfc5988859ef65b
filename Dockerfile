# A slim image running the xqbadges service.
#   docker build -t xqbadges .
#   docker run -p 8000:8000 -v xqb-var:/srv/var -v xqb-keys:/srv/keys \
#     -e XQB_PUBLIC_BASE_URL=https://badges.example.org -e XQB_KEY_PASSPHRASE=... xqbadges
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN useradd --create-home --uid 10001 xqb
WORKDIR /srv

COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install -e . && mkdir -p var keys && chown xqb:xqb var keys

USER xqb
EXPOSE 8000
VOLUME ["/srv/var", "/srv/keys"]
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["xqbadges", "serve", "--host", "0.0.0.0", "--port", "8000"]
