# One image for all four services; the command chooses the service (deploy/k8s).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home courtmed
USER 10001
EXPOSE 8000
CMD ["python", "-m", "services.run", "all", "--host", "0.0.0.0", "--port", "8000"]
