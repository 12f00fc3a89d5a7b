/**
 * Chinese surnames used by name discovery: the ~280 most common single-character
 * surnames (census order of magnitude) and common compound surnames. Surnames that are
 * also very common word starts (国, 平, 和, 明, 海, 来, 都 …) are left out on purpose:
 * they cost more false positives than the names they find.
 */
export const SINGLE_SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼满闻位厉伊仝区郜阚权帅屠豆朴盖练廉禹井祖漆巴丰支卿狄计索宣晋初容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇哈湛宾戎勾茅於呼居揭干但尉冶斯束檀衣展阴昝智幸奉植衡富尧闭";

export const COMPOUND_SURNAMES = [
  "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
  "轩辕", "令狐", "端木", "西门", "南宫", "独孤", "呼延", "澹台", "公冶", "申屠", "太史", "闻人", "万俟",
  "赫连", "钟离", "宗政", "濮阳", "淳于", "单于", "百里", "东郭", "拓跋", "完颜", "第五", "乐正",
] as const;
