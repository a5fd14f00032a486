# Kursk & Donbass situation map: a container that serves the app offline.
#   docker build -t situation-map . && docker run -p 8501:8501 situation-map
# The base image is pinned by tag only: no container registry was reachable where this file was
# written, so its digest could not be looked up, and none is made up here. Pin it where a registry
# is reachable: `docker buildx imagetools inspect python:3.11-slim` prints the digest; then write
# `FROM python:3.11-slim@sha256:<digest>` (the tag stays for readers, the digest decides).
FROM python:3.11-slim

# Caches under /tmp: the container may run with a read-only root filesystem (deploy/k8s) and
# only /tmp writable.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib XDG_CACHE_HOME=/tmp/cache
WORKDIR /app
COPY requirements.lock scripts/check_lock.py ./
# Exactly the locked set, nothing resolved (see README, "Why the install resolves nothing").
RUN pip install --no-deps --require-hashes -r requirements.lock \
 && python check_lock.py requirements.lock && pip check && rm check_lock.py \
 && useradd --create-home --uid 10001 app
COPY --chown=app:app .streamlit ./.streamlit
COPY --chown=app:app dashboard ./dashboard
COPY --chown=app:app geodata ./geodata
USER app
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD python -c "import os,sys,urllib.request as u; b=os.environ.get('STREAMLIT_SERVER_BASE_URL_PATH','').strip('/'); sys.exit(u.urlopen('http://127.0.0.1:8501/'+(b+'/' if b else '')+'_stcore/health', timeout=4).status != 200)"
# Set STREAMLIT_SERVER_BASE_URL_PATH to serve under a path (behind a proxy).
CMD ["streamlit", "run", "dashboard/server.py", "--server.address=0.0.0.0", "--server.port=8501"]
