from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from mutualaid.jobs.access import access_job
from mutualaid.tenancy.access import staff_required


@staff_required()
def job_status(request, job_id):
    job = access_job(request.actor, job_id)
    template = "jobs/_progress.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job})


@staff_required()
def job_download(request, job_id):
    job = access_job(request.actor, job_id)
    if not job.result_path or job.files_expired_at:
        raise Http404
    path = (Path(settings.MEDIA_ROOT) / job.result_path).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name or path.name)
