# One image for all four services. The default command runs the service COURTMED_SERVICE names, in
# production mode (APP_ENV=production: it refuses the development secrets and private webhook URLs,
# so JWT_SECRET and the rest must be given); deploy/k8s names the service in each Deployment. The
# embedded mode (all four in one process, one bus) runs only when asked for by name, `all`:
#   docker run -e COURTMED_SERVICE=all ... IMAGE    (still production settings unless APP_ENV says otherwise)
# and the development demo (SQLite, demo data, the published development secret) is `make run`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY composition ./composition
RUN pip install --no-cache-dir . && useradd --uid 10001 --no-create-home courtmed
USER 10001
ENV APP_ENV=production PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["python", "-m", "composition.run", "--host", "0.0.0.0", "--port", "8000"]
