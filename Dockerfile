# A slim image running the xqbadges service.
#   docker build -t xqbadges .
#   docker run -p 8000:8000 -v xqb-var:/srv/var -v xqb-keys:/srv/keys \
#     -e XQB_PUBLIC_BASE_URL=https://badges.example.org \
#     -e XQB_KEY_PASSPHRASE_FILE=/run/secrets/xqb_key_passphrase xqbadges
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 xqb
WORKDIR /srv

# The dependencies, in a layer of their own: a change to the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt

# The service itself, installed as a wheel would be (no editable link to /srv).
COPY setup.py README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-deps . && rm -rf build app migrations setup.py \
    && mkdir -p var keys && chown xqb:xqb var keys
COPY deploy/docker-entrypoint.sh /usr/local/bin/xqbadges-entrypoint

ENV XQB_HOME=/srv \
    XQB_DATABASE_URL=sqlite:////srv/var/xqbadges.db \
    XQB_KEYS_DIR=/srv/keys
EXPOSE 8000
VOLUME ["/srv/var", "/srv/keys"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
ENTRYPOINT ["xqbadges-entrypoint"]
CMD ["xqbadges", "serve", "--host", "0.0.0.0", "--port", "8000"]
