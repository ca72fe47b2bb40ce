"""Chinese summaries of the API's operations, for the schema and its docs page.

The views' docstrings are written for developers (English, as the code); integrators read
the docs page in Chinese. An operation whose view gives no ``summary`` gets its line here
(by operation id); ``tests/api/test_schema.py`` fails on an operation with none.
"""

from __future__ import annotations

SUMMARIES: dict[str, str] = {
    # Organisations, users, me
    "me_retrieve": "当前用户：姓名、节点和角色",
    "organisations_list": "组织树（调用者的节点及其下级）",
    "organisations_create": "新建下级组织",
    "organisations_retrieve": "一个组织",
    "organisations_partial_update": "修改组织名称或代码",
    "users_list": "用户列表",
    "users_create": "新建用户（初始密码、节点、角色）",
    "users_retrieve": "一个用户",
    "users_update": "修改用户：节点、角色、停用",
    # Units and members
    "units_list": "单位（基层工会）列表",
    "units_create": "登记新单位",
    "units_retrieve": "一个单位的登记信息",
    "units_partial_update": "修改单位登记信息",
    "members_list": "会员列表（按单位、姓名或身份证号查找）",
    "members_create": "登记会员（校验身份证号）",
    "members_retrieve": "一个会员",
    "members_partial_update": "修改会员信息",
    "members_transfers_list": "会员的调动记录",
    "members_transfers_create": "会员调到另一单位",
    # Plans
    "plans_list": "互助计划列表",
    "plans_create": "新建互助计划",
    "plans_retrieve": "一个互助计划",
    "plans_partial_update": "修改互助计划",
    "plan_versions_list": "计划的版本",
    "plan_versions_create": "新建计划版本（草稿）",
    "plan_versions_retrieve": "一个计划版本及其条款",
    "plan_versions_partial_update": "修改草稿版本",
    "plan_versions_destroy": "删除草稿版本",
    "plan_versions_assess": "按此版本试算给付金额",
    "plan_versions_copy": "复制为新版本",
    "plan_versions_publication_check": "能否发布：列出尚缺的内容",
    "plan_versions_publish": "发布版本",
    "plan_items_list": "版本的保障项目",
    "plan_items_create": "新增保障项目",
    "plan_items_retrieve": "一个保障项目",
    "plan_items_partial_update": "修改保障项目",
    "plan_items_destroy": "删除保障项目",
    # Enrolment
    "enrolments_list": "参保登记列表",
    "enrolments_create": "新建参保登记（草稿）",
    "enrolments_retrieve": "一个参保登记：状态、人数、保费、可做的步骤",
    "enrolments_submit_retrieve": "能否提交",
    "enrolments_submit_create": "提交参保登记",
    "enrolments_check_retrieve": "能否核定",
    "enrolments_check_create": "核定（市、县、产业工会）",
    "enrolments_accept_retrieve": "能否受理",
    "enrolments_accept_create": "受理（办事处）",
    "enrolments_send_back_retrieve": "能否退回",
    "enrolments_send_back_create": "退回修改（须写明原因）",
    "enrolments_cancel_retrieve": "能否撤销",
    "enrolments_cancel_create": "撤销参保登记",
    "enrolment_lines_list": "参保名单（按游标分页）",
    "enrolments_lines_create": "名单中加一人",
    "enrolments_lines_retrieve": "名单中的一人",
    "enrolments_lines_partial_update": "修改名单中一人的份数、档次等",
    "enrolments_lines_destroy": "从名单中删除一人",
    "enrolment_lines_import_check": "能否导入名单行",
    "enrolments_lines_import_create": "导入已解析的名单行（可只预检）",
    "enrolments_invoice_retrieve": "参保登记的缴费通知（没有时为 null）",
    "enrolments_invoice_create": "为已受理的登记开具缴费通知",
    "policies_list": "保障凭证列表",
    "policies_retrieve": "一张保障凭证",
    # Premiums
    "invoices_list": "缴费通知列表",
    "invoices_retrieve": "一张缴费通知：金额、分担、到账",
    "invoices_payments_list": "到账记录",
    "invoices_payments_create": "登记到账（或退款）；缴足即生效",
    "renewals_list": "续保提醒",
    # Claims
    "incident_reports_list": "出险报案列表",
    "incident_reports_create": "报案（同时开立给付申请）",
    "incident_reports_retrieve": "一次报案",
    "incident_reports_accept_late_retrieve": "能否受理逾期报案",
    "incident_reports_accept_late_create": "受理逾期报案（须写明原因）",
    "incident_reports_refuse_late_retrieve": "能否不予受理逾期报案",
    "incident_reports_refuse_late_create": "逾期报案不予受理（须写明原因）",
    "claims_list": "给付申请列表",
    "claims_retrieve": "一件给付申请：事实、测算、决定、材料",
    "claims_partial_update": "填写事实和领款人",
    "claims_submit_retrieve": "能否提交申请",
    "claims_submit_create": "提交申请（提交时自动测算）",
    "claims_decide_retrieve": "可做的审核决定",
    "claims_decide_create": "审核决定：同意、补材料、调查、拒付",
    "claims_documents_list": "申请材料",
    "claims_documents_create": "上传材料（PDF、JPEG、PNG）",
    "claims_documents_file_retrieve": "下载一份材料",
    "claims_notice_retrieve": "给付（或拒付）通知书 PDF",
    "payout_batches_list": "给付批次列表",
    "payout_batches_create": "把已同意的申请组成给付批次",
    "payout_batches_retrieve": "一个给付批次",
    "payout_batch_lines_list": "批次的给付明细",
    "payout_batches_approve_retrieve": "能否审批批次",
    "payout_batches_approve_create": "审批批次（另一位财务人员）",
    "payout_batches_mark_paid_retrieve": "能否登记已支付",
    "payout_batches_mark_paid_create": "登记银行已支付",
    "payout_batches_lines_mark_failed_retrieve": "能否登记支付失败",
    "payout_batches_lines_mark_failed_create": "登记一笔支付失败（申请退回待审）",
    "payout_batches_bank_file_xlsx_retrieve": "银行代发文件（Excel）",
    "payout_batches_bank_file_csv_retrieve": "银行代发文件（CSV，UTF-8 带 BOM）",
    "payout_batches_notices_retrieve": "批次全部给付通知书 PDF",
    # Individual applications (issue 17.4)
    "individual_applications_list": "个人参保申请列表",
    "individual_applications_retrieve": "一份个人参保申请",
    "individual_applications_decide_create": "批量审核个人参保申请：通过或不通过（须填原因）",
    # Statistics
    "stats_nodes_retrieve": "节点统计汇总",
    "stats_returns_list": "统计报表",
}


def add_chinese_summaries(result, generator, request, public):
    """drf-spectacular postprocessing hook: the summary of each operation without one."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                summary = SUMMARIES.get(operation["operationId"])
                if summary and not operation.get("summary"):
                    operation["summary"] = summary
    return result
