# Image for CI jobs: linters and test runners.
FROM python:3.12.4-slim
RUN pip install --no-cache-dir ruff==0.5.0 pytest==8.2.2
USER 1000
