// form-js speaks English; this module gives its viewer Chinese messages (validation errors, list
// and table controls). Pass it in `additionalModules` when creating a Form.
const MESSAGES = {
  "Field is required.": "此项为必填项。",
  "Field must be a valid email.": "请填写有效的电子邮箱。",
  "Field must be a valid international phone number. (e.g. +4930664040900)":
    "请填写有效的国际格式电话号码（如 +8613800001111）。",
  "Field must have maximum length of {value}.": "长度不能超过{value}个字符。",
  "Field must have minimum length of {value}.": "长度不能少于{value}个字符。",
  "Field must have maximum value of {value}.": "不能大于{value}。",
  "Field must have minimum value of {value}.": "不能小于{value}。",
  "Field must match pattern {value}.": "格式不正确（应符合 {value}）。",
  "Date and time must both be entered.": "日期和时间都须填写。",
  "Value is not a number.": "请填写数字。",
  "Value is expected to be an integer.": "请填写整数。",
  "Value is expected to have at most 1 decimal digit.": "最多保留1位小数。",
  "Value is expected to have at most {value} decimal digits.": "最多保留{value}位小数。",
  "Please select a valid value, the two nearest valid values are {previousValue} and {nextValue}.":
    "请填写有效值，最接近的有效值为 {previousValue} 和 {nextValue}。",
  "Search": "搜索",
  "Skip to search": "跳到搜索",
  "Remove tag": "移除",
  "No results": "无匹配项",
  "All values selected": "已全部选择",
  "Add new": "新增",
  "Collapse": "收起",
  "Expand all ({value})": "全部展开（{value}）",
  "Nothing to show.": "暂无内容。",
  "No content to show.": "暂无内容。",
  "Previous page": "上一页",
  "Next page": "下一页",
  "{page} of {total}": "第{page}页，共{total}页",
  "Increment": "增加",
  "Decrement": "减少",
  "No files selected": "未选择文件",
  "{value} files selected": "已选择{value}个文件",
};

function translate(template, replacements = {}) {
  return (MESSAGES[template] ?? template).replace(/{([^}]+)}/g, (whole, name) =>
    name in replacements ? String(replacements[name]) : `{${name}}`,
  );
}

export const chineseMessages = { translate: ["value", translate] };
